import Foundation
import Testing

/// Every intent's path on the built binary: `overdue reply --format json` shows what was understood,
/// decided and answered; the outbox, inbox and cases show the effect.
@Suite(.serialized) struct ConversationCLITests {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-conv-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    static let invoices = """
        invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number,pro_number,bol_number
        INV-100,SHIP1,Big Shipper Inc,"1,250.00",USD,2026-01-01,2026-01-31,448812,PRO-1,BOL-1
        INV-101,SHIP1,Big Shipper Inc,750,USD,2026-01-05,2026-02-04,448813,PRO-2,BOL-2
        """
    static let contacts = """
        debtor_id,name,email,phone,timezone,sms_consent,call_consent
        SHIP1,Dana Reyes,dana@bigshipper.example,(312) 555-0101,America/Chicago,true,true
        """

    func overdue(_ args: [String], db: String) throws -> CLITests.Output {
        try CLITests.run(args + ["--db", db, "--documents", dir.appendingPathComponent("docs").path], in: dir)
    }

    /// A fresh world with one reminder sent; returns its database URL.
    func world(_ name: String) throws -> String {
        let db = "sqlite://\(dir.path)/\(name).sqlite"
        for (kind, text) in [("invoices", Self.invoices), ("contacts", Self.contacts)] {
            let file = dir.appendingPathComponent("\(name)-\(kind).csv")
            try Data(text.utf8).write(to: file)
            #expect(try overdue(["import", kind, file.path], db: db).code == 0)
        }
        #expect(try overdue(["run", "--from", "2026-01-20", "--until", "2026-02-10T12:00:00Z"], db: db).code == 0)
        return db
    }

    struct Report {
        var intent: String
        var actions: [String]
        var answers: [[String: Any]]
        var answerKinds: [String] { answers.map { $0["kind"] as! String } }
    }

    func reply(
        _ db: String, channel: String = "email", from: String = "dana@bigshipper.example", _ text: String,
        at: String = "2026-02-10T16:00:00Z"
    ) throws -> Report {
        let r = try overdue(["reply", "--channel", channel, "--from", from, "--text", text, "--at", at, "--format", "json"], db: db)
        #expect(r.code == 0, "\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        return Report(
            intent: json["intent"] as? String ?? "",
            actions: (json["steps"] as? [[String: Any]] ?? []).map { $0["action"] as! String },
            answers: json["answers"] as? [[String: Any]] ?? [])
    }

    func outbox(_ db: String) throws -> [[String: Any]] {
        try overdue(["outbox", "--format", "jsonl"], db: db).out.split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func cases(_ db: String) throws -> [String: Any] {
        let line = try overdue(["cases", "--format", "jsonl"], db: db).out.split(separator: "\n").first.map(String.init) ?? "{}"
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    @Test func promiseToPay() throws {
        let db = try world("promise")
        let r = try reply(db, "We will pay invoice INV-100 on Friday.")
        #expect(r.intent == "promise_to_pay")
        #expect(r.actions.contains("record_promise"))
        #expect(r.answerKinds == ["promise_confirmation"])
        #expect((r.answers.first?["status"] as? String) == "sent")
        #expect(try cases(db)["reason_codes"] as? [String] == ["promised"])
    }

    @Test func paid() throws {
        let db = try world("paid")
        let r = try reply(db, "We paid this last week.")
        #expect(r.intent == "paid")
        #expect(r.actions.contains("record_payment_claim"))
        #expect(r.answerKinds == ["remittance_request"])
        #expect(try cases(db)["reason_codes"] as? [String] == ["payment_claimed"])
    }

    @Test func dispute() throws {
        let db = try world("dispute")
        let r = try reply(db, "We dispute the detention charges on load 448812, the driver was unloaded in 2 hours.")
        #expect(r.intent == "dispute")
        #expect(r.actions.filter { $0 == "open_dispute" }.count == 1)
        #expect(r.actions.contains("flag"))
        #expect(r.answerKinds == ["dispute_received"])
        let flag = try overdue(["inbox", "--format", "jsonl"], db: db).out.split(separator: "\n")
            .map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }.first { $0["code"] as? String == "dispute_review" }
        let flagID = try #require(flag?["id"] as? Int)
        #expect(try overdue(["resolve", String(flagID), "--note", "credit memo issued"], db: db).code == 0)
        #expect(try overdue(["resolve", String(flagID)], db: db).code == 2)
        let disputes = try overdue(["disputes", "list"], db: db).out
        #expect(disputes.contains("INV-100") && disputes.contains("accessorial") && !disputes.contains("INV-101"))
    }

    @Test func documentRequest() throws {
        let db = try world("docs")
        let pod = dir.appendingPathComponent("pod-448812.pdf")
        try Data("%PDF-1.4 signed POD for load 448812".utf8).write(to: pod)
        let added = try overdue(["docs", "add", "INV-100", pod.path, "--kind", "pod"], db: db)
        #expect(added.code == 0, "\(added.err)")
        let r = try reply(db, "Please send the POD for load 448812 so we can process it.")
        #expect(r.intent == "document_request")
        #expect(r.answerKinds == ["document_reply"])
        #expect(r.answers.first?["attachments"] as? [String] == ["pod-448812.pdf"])
        let sent = try outbox(db).last!
        let attachment = (sent["attachments"] as! [[String: Any]]).first!
        #expect(attachment["kind"] as? String == "pod")
        #expect(attachment["bytes"] as? Int == 35)
        // Bad input is named: an unknown invoice and a missing file.
        let bad = try overdue(["docs", "add", "INV-999", pod.path, "--kind", "pod"], db: db)
        #expect(bad.code == 2 && bad.err.contains("INV-999"))
        let none = try overdue(["docs", "add", "INV-100", "/nonexistent.pdf", "--kind", "pod"], db: db)
        #expect(none.code == 2 && none.err.contains("/nonexistent.pdf"))
    }

    @Test func paymentPlan() throws {
        let db = try world("plan")
        let r = try reply(db, "Can we pay this in installments over the next few months?")
        #expect(r.intent == "payment_plan")
        #expect(r.answerKinds == ["payment_plan_offer"])
        #expect((r.answers.first?["channel"] as? String) == "email")
        #expect(try outbox(db).last?["body"].map { "\($0)" }?.contains("666.66 USD") == true)  // 2,000.00 in three
    }

    @Test func wrongContact() throws {
        let db = try world("wrong")
        let r = try reply(db, "Wrong person, I don't handle invoices. Please contact ap@bigshipper.example")
        #expect(r.intent == "wrong_contact")
        #expect(r.actions.contains("retire_contact") && r.actions.contains("propose_contact"))
        // Issue 20, finding 1: nobody is written to at an address a reply names until a person approves it.
        #expect(try overdue(["run", "--from", "2026-02-10T16:00:00Z", "--until", "2026-02-12"], db: db).code == 0)
        let before = try outbox(db).filter { ($0["kind"] as? String) == "reminder" && ($0["at"] as! String) > "2026-02-10T16" }
        #expect(!before.contains { $0["to"] as? String == "ap@bigshipper.example" }, "\(before)")
        let proposals = try overdue(["contacts", "proposals"], db: db)
        #expect(proposals.code == 0 && proposals.out.contains("ap@bigshipper.example"), "\(proposals.out)")
        #expect(try overdue(["contacts", "approve", "999"], db: db).code == 2)
        let approved = try overdue(["contacts", "approve", "1"], db: db)
        #expect(approved.code == 0, "\(approved.err)")
        #expect(try overdue(["contacts", "approve", "1"], db: db).code == 2, "a proposal is decided once")
        #expect(try overdue(["run", "--from", "2026-02-12T00:00:00Z", "--until", "2026-02-20"], db: db).code == 0)
        let later = try outbox(db).filter { ($0["kind"] as? String) == "reminder" && ($0["at"] as! String) > "2026-02-12" }
        #expect(!later.isEmpty)
        #expect(later.allSatisfy { $0["to"] as? String == "ap@bigshipper.example" })
    }

    @Test func optOutBySMSKeyword() throws {
        let db = try world("stop")
        let r = try reply(db, channel: "sms", from: "+1 312 555 0101", "STOP")
        #expect(r.intent == "opt_out")
        #expect(r.actions.first == "suppress")
        #expect(r.answerKinds == ["opt_out_confirmation"])
        #expect(try overdue(["run", "--from", "2026-02-10T16:00:00Z", "--until", "2026-04-01"], db: db).code == 0)
        let texts = try outbox(db).filter { $0["channel"] as? String == "sms" }
        #expect(texts.map { $0["kind"] as! String } == ["opt_out_confirmation"])
    }

    @Test func optOutByEmailSendsNothing() throws {
        let db = try world("unsubscribe")
        let r = try reply(db, "Please remove me from your email list.")
        #expect(r.intent == "opt_out")
        #expect(r.answers.isEmpty)
        #expect(try overdue(["run", "--from", "2026-02-10T16:00:00Z", "--until", "2026-04-01"], db: db).code == 0)
        let emails = try outbox(db).filter { $0["channel"] as? String == "email" && ($0["at"] as! String) > "2026-02-10T16" }
        #expect(emails.isEmpty)
    }

    @Test func callbackRequest() throws {
        let db = try world("callback")
        let r = try reply(db, "Please call me tomorrow at 2pm to discuss.")
        #expect(r.intent == "callback_request")
        #expect(r.answerKinds.sorted() == ["callback", "callback_confirmation"])
        let call = r.answers.first { $0["kind"] as? String == "callback" }!
        #expect(call["status"] as? String == "scheduled")
        #expect(call["at"] as? String == "2026-02-11T20:00:00Z")  // 14:00 in Chicago
        #expect(try overdue(["run", "--from", "2026-02-10T16:00:00Z", "--until", "2026-02-12"], db: db).code == 0)
        let made = try outbox(db).first { $0["kind"] as? String == "callback" }
        #expect(made?["status"] as? String == "sent")
        #expect(made?["channel"] as? String == "voice")
    }

    @Test func question() throws {
        let db = try world("question")
        #expect(try overdue(["settings", "set", "remit.to", "Prairie Freight, PO Box 1, Chicago IL"], db: db).code == 0)
        let r = try reply(db, "What is the total we owe you right now?")
        #expect(r.intent == "question")
        #expect(r.answerKinds == ["account_summary"])
        let body = try outbox(db).last?["body"] as? String ?? ""
        #expect(body.contains("2,000.00 USD") && body.contains("PO Box 1"))
    }

    @Test func autoReply() throws {
        let db = try world("away")
        let r = try reply(db, "I am out of the office until February 20 with limited access to email.")
        #expect(r.intent == "auto_reply")
        #expect(r.answers.isEmpty)
        #expect(try overdue(["run", "--from", "2026-02-10T16:00:00Z", "--until", "2026-02-21"], db: db).code == 0)
        let next = try outbox(db).filter { ($0["at"] as! String) > "2026-02-10T16" }
        #expect(next.first?["at"] as? String == "2026-02-20T14:00:00Z")
    }

    @Test func acknowledge() throws {
        let db = try world("ack")
        let r = try reply(db, "Thanks, received. I'll check with our AP team.")
        #expect(r.intent == "acknowledge")
        #expect(r.actions == ["pause"])
        #expect(r.answers.isEmpty)
    }

    @Test func abusiveGoesToAPersonAndTakeoverHandbackWork() throws {
        let db = try world("abuse")
        let r = try reply(db, channel: "sms", from: "+13125550101", "Stop harassing me you idiots")
        #expect(r.intent == "abusive")
        #expect(r.actions == ["handoff"])
        #expect(r.answers.isEmpty)
        #expect(try cases(db)["status"] as? String == "handoff")
        let inbox = try overdue(["inbox", "--format", "jsonl"], db: db).out
        #expect(inbox.contains("\"kind\":\"handoff\""))
        #expect(try overdue(["handback", "SHIP1", "--by", "pat", "--at", "2026-02-11T00:00:00Z"], db: db).code == 0)
        #expect(try overdue(["inbox", "--format", "jsonl"], db: db).out.isEmpty)
        #expect(try overdue(["takeover", "SHIP1", "--by", "pat"], db: db).code == 0)
        #expect(try cases(db)["status"] as? String == "handoff")
        #expect(try overdue(["takeover", "NOPE"], db: db).code == 2)
    }

    @Test func otherGoesToAPerson() throws {
        let db = try world("other")
        let r = try reply(db, "Happy holidays to the whole team!")
        #expect(r.intent == "other")
        // A person reads it while the ladder waits (two business days at most).
        #expect(r.actions == ["pause", "flag"])
        #expect(r.answers.isEmpty)
    }

    @Test func reviewAutonomyDraftsAndApproveSends() throws {
        let db = try world("review")
        #expect(try overdue(["settings", "set", "autonomy", "review"], db: db).code == 0)
        let r = try reply(db, "What is the total we owe you right now?")
        let id = r.answers.first?["id"] as? String ?? ""
        #expect(r.answers.first?["status"] as? String == "draft")
        let inbox = try overdue(["inbox", "--format", "jsonl"], db: db).out
        #expect(inbox.contains(id))
        let approved = try overdue(["approve", id], db: db)
        #expect(approved.code == 0, "\(approved.err)")
        #expect(approved.out.contains("sent"))
        #expect(try overdue(["approve", id], db: db).code == 2)
        #expect(try overdue(["inbox", "--format", "jsonl"], db: db).out.isEmpty)
    }

    @Test func templatesCanBeOverriddenAndBadOnesAreRefused() throws {
        let db = try world("templates")
        let file = dir.appendingPathComponent("summary.mustache")
        try Data("{{greeting}}, you owe {{total}}.\n{{#invoices}}{{number}} ({{load}})\n{{/invoices}}".utf8).write(to: file)
        let set = try overdue(["templates", "set", "account_summary", file.path, "--channel", "email", "--subject", "Balance {{total}}"], db: db)
        #expect(set.code == 0, "\(set.err)")
        #expect(try overdue(["templates", "list"], db: db).out.contains("tenant"))
        let r = try reply(db, "What is the total we owe you right now?")
        #expect(r.answerKinds == ["account_summary"])
        let sent = try outbox(db).last!
        #expect(sent["subject"] as? String == "Balance 2,000.00 USD")
        #expect((sent["body"] as? String)?.hasPrefix("Hello Dana, you owe 2,000.00 USD.\nINV-100 (448812)") == true)
        let broken = dir.appendingPathComponent("broken.mustache")
        try Data("Hi {{#invoices}} unclosed".utf8).write(to: broken)
        let refused = try overdue(["templates", "set", "account_summary", broken.path, "--channel", "email"], db: db)
        #expect(refused.code == 2)
        #expect(refused.err.contains("broken.mustache") && refused.err.contains("line"))
        #expect(try overdue(["templates", "set", "nope", file.path, "--channel", "email"], db: db).code == 2)
    }

    /// A call is a conversation: a clear spoken promise is confirmed with its day, a greeting is
    /// answered with the question the call is for, a promise without a day is asked for the day in
    /// spoken words, and a turn the reader is unsure of is asked again (twice) before a person is offered.
    @Test func aCallIsAConversationNotAForm() throws {
        let db = try world("conversation-call")
        #expect(try overdue(["run", "--from", "2026-02-10T12:00:00Z", "--until", "2026-03-10T00:00:00Z"], db: db).code == 0)
        func call(_ at: String, _ turns: [String]) throws -> [String] {
            let r = try overdue(["call", "SHIP1", "--at", at] + turns.flatMap { ["--say", $0] }, db: db)
            #expect(r.code == 0, "\(r.err)")
            return r.out.split(separator: "\n").map(String.init)
        }
        let agent = { (lines: [String]) in lines.filter { $0.hasPrefix("agent: ") }.joined(separator: "\n") }

        // Tuesday 10 March: "next friday" is the 20th.
        let promise = try call("2026-03-10T16:00:00Z", ["we will pay the full amount next friday"])
        #expect(agent(promise).contains("2026-03-20"), "\(promise)")
        #expect(!agent(promise).contains("colleague"), "\(promise)")
        #expect(promise.last == "[call ended]")

        let greeting = try call("2026-03-10T16:10:00Z", ["uh yeah this is accounts payable", "we will pay it on the 25th"])
        let afterGreeting = greeting.drop { !$0.hasPrefix("you: uh yeah") }.dropFirst().prefix { !$0.hasPrefix("you: ") }
        #expect(afterGreeting.contains { $0.hasPrefix("agent: ") && $0.contains("?") }, "the call asks its question: \(greeting)")
        #expect(!agent(greeting).contains("colleague will call you back"), "\(greeting)")
        #expect(agent(greeting).contains("2026-03-25"), "\(greeting)")

        let vague = try call("2026-03-10T16:20:00Z", ["we will pay it next week", "friday"])
        #expect(!agent(vague).contains("Reply with"), "spoken words, not a text's: \(vague)")
        #expect(agent(vague).contains("what day"), "\(vague)")
        #expect(agent(vague).contains("2026-03-13"), "\(vague)")

        let unclear = try call("2026-03-10T16:30:00Z", ["purple elephant window", "sorry what", "the weather is nice today"])
        #expect(agent(unclear).contains("another way"), "\(unclear)")
        #expect(agent(unclear).contains("ask it simply"), "\(unclear)")
        #expect(agent(unclear).contains("colleague"), "offered a person after asking twice: \(unclear)")
    }

    @Test func aCallInTheTerminalTakesAPromiseAndAMachineGetsAVoicemail() throws {
        let db = try world("call")
        #expect(try overdue(["run", "--from", "2026-02-10T12:00:00Z", "--until", "2026-03-10T00:00:00Z"], db: db).code == 0)
        let r = try overdue(
            ["call", "SHIP1", "--at", "2026-03-10T16:00:00Z", "--say", "what is the balance", "--say", "", "--say", "we will pay on friday"], db: db)
        #expect(r.code == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("calling Dana Reyes at +13125550101") == true, "\(r.out)")
        #expect(lines.contains { $0.hasPrefix("agent: ") && $0.contains("2,000.00") }, "the balance is read out: \(r.out)")
        #expect(lines.contains { $0.contains("did not catch that") })
        #expect(lines.contains { $0.contains("2026-03-13") }, "the promise is confirmed with its date: \(r.out)")
        #expect(lines.last == "[call ended]")
        let commitments = try overdue(["cases", "--format", "jsonl"], db: db).out
        #expect(commitments.contains("promise"), "\(commitments)")

        let machine = try overdue(["call", "SHIP1", "--answered-by", "machine", "--at", "2026-03-10T16:05:00Z"], db: db)
        #expect(machine.out.contains("Please call us back") || machine.out.contains("calling for Dana Reyes"), "\(machine.out)")
        #expect(try overdue(["call", "NOPE"], db: db).code != 0)
    }
}

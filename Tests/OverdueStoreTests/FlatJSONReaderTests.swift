import Foundation
import Testing
@testable import OverdueStore
import OverdueCore

/// The reader of the JSON rows a case snapshot is made of.
@Suite struct FlatJSONReaderTests {
    @Test func rowsOfBothEnginesAreRead() throws {
        // SQLite's json_group_array(json_object(…)) and PostgreSQL's json_agg(json_build_object(…)).
        let sqlite =
            #"[{"id":1,"name":"Dana \"DR\" Reyes","email":null,"rate":2.5,"ok":true},{"id":-2,"name":"Zoë\n\u00e9\ud83d\ude9a","email":"a\/b\\c","rate":1e3,"ok":false}]"#
        let postgres =
            #"[{"id" : 1, "name" : "Dana \"DR\" Reyes", "email" : null, "rate" : 2.5, "ok" : true}, {"id" : -2, "name" : "Zoë\n\u00e9\ud83d\ude9a", "email" : "a\/b\\c", "rate" : 1e3, "ok" : false}]"#
        for text in [sqlite, postgres] {
            let rows = try JSONRow.array(text, table: "t")
            #expect(rows.count == 2)
            #expect(try rows[0].int("id") == 1 && rows[1].int("id") == -2)
            #expect(try rows[0].string("name") == "Dana \"DR\" Reyes")
            #expect(try rows[1].string("name") == "Zoë\né🚚")
            #expect(try rows[0].optString("email") == nil)
            #expect(try rows[1].string("email") == "a/b\\c")
            #expect(try rows[0].optString("rate") == "2.5")
            #expect(try rows[1].int("rate") == 1000)
            #expect(try rows[0].bool("ok") && !rows[1].bool("ok"))
        }
        #expect(try JSONRow.array("[]", table: "t").isEmpty)
        #expect(try JSONRow.array(" [ { } ] ", table: "t").count == 1)
    }

    @Test func malformedRowsAreRefusedNamingTheTable() {
        for bad in ["", "[", "[{]", #"[{"a":}]"#, #"[{"a":1}"#, #"[{"a":"x}]"#, #"[{"a":1,}]"#, #"[{"a":nul}]"#, #"[{"a":"\u12"}]"#] {
            #expect {
                try JSONRow.array(bad, table: "contacts")
            } throws: { error in
                "\(error)".contains("contacts")
            }
        }
        // A missing column is named, not read as NULL.
        #expect(throws: StoreError.self) { try JSONRow.array(#"[{"a":1}]"#, table: "t")[0].optString("b") }
    }
}

/// The JSON the store writes by hand for what every planning saves.
@Suite struct HandWrittenJSONTests {
    @Test func stringsAndReasonsReadBackAsWritten() throws {
        let awkward = ["", "plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "bell \u{07} nul \u{00} esc \u{1B}", "Zoë é 🚚 \u{2028}", "a/b"]
        #expect(try JSONDecoder().decode([String].self, from: Data(Session.json(awkward).utf8)) == awkward)
        #expect(Session.json([String]()) == "[]")
        let reasons = awkward.map { Reason(ReasonCode(rawValue: "code_\($0.count)"), $0) }
        let written = Session.json(reasons)
        #expect(try JSONDecoder().decode([Reason].self, from: Data(written.utf8)) == reasons)
        // The same text JSONEncoder wrote before, for plain reasons.
        let plain = [Reason("outside_window", "Outside the contact's window (08:00–20:00 America/Chicago)")]
        #expect(Session.json(plain) == Session.encoded(plain))
        #expect(Session.json([Money]()) == "[]")
        let amounts = [Money(minorUnits: 1250, currency: Currency("EUR")!)]
        #expect(try JSONDecoder().decode([Money].self, from: Data(Session.json(amounts).utf8)) == amounts)
    }

    @Test func theLadderStateIsWrittenAsJSONEncoderWritesIt() throws {
        let reason = Reason(.exhausted, "Every attempt of the ladder was made \"twice\"\n")
        var full = CaseState(
            cycle: 3, status: .handoff, order: [2, 0, 1], position: 4, attemptsSent: 2, lastAttemptAt: Date(timeIntervalSince1970: 1_770_000_000),
            lastStage: 1, cycleStart: LocalDate(year: 2026, month: 2, day: 2), skipped: [Reason(ReasonCode(rawValue: "no_consent"), "No consent for SMS")],
            handoffReason: reason)
        full.notice = MessageKind.brokenPromise
        var fractional = full
        fractional.lastAttemptAt = Date(timeIntervalSinceReferenceDate: 790_000_000.25)
        for state in [CaseState(), full, fractional] {
            let written = Session.json(state)
            #expect(try JSONDecoder().decode(CaseState.self, from: Data(written.utf8)) == state)
            #expect(written == Session.encoded(state), "differs from JSONEncoder's text")
        }
    }

    @Test func aMessageEventIsWrittenAsJSONEncoderWritesIt() throws {
        var m = MessageRecord(
            id: "msg_1", key: "D1/c1/p0", direction: .outbound, channel: .email, at: Date(timeIntervalSince1970: 1_770_000_000), debtorID: "D1",
            contactID: 1, contactName: "Dana", to: "dana@acme.example", from: "ar@x.example", invoiceNumbers: ["INV-1", "INV/2"], stage: 1, attempt: 1,
            kind: "reminder", subject: "Invoice INV-1 \"overdue\"", body: "Hello\nplease pay", status: .sent)
        for includeBody in [false, true] {
            for debtor in ["D1", nil] {
                m.debtorID = debtor
                let envelope = EventEnvelope(
                    id: "evt_1", type: "message.sent", created: 1_770_000_000, tenant: "acme", data: EventData.Message(m, includeBody: includeBody))
                let written = Session.handWritten(envelope)
                let reference = Session.encoded(envelope)
                let (a, b) = (try JSONSerialization.jsonObject(with: Data(written.utf8)), try JSONSerialization.jsonObject(with: Data(reference.utf8)))
                #expect((a as? NSDictionary) == (b as? NSDictionary))
                #expect(written == reference)
            }
        }
    }
}

import Foundation
import Testing

/// Whole scenarios through the CLI whose `outbox` and `cases` output must stay byte-identical while
/// the code underneath is reorganised: what Overdue decides and sends is pinned here. The expected
/// output is in `Golden/`; after an intended change in behaviour, record it again with
/// `OVERDUE_UPDATE_GOLDEN=1 swift test --filter GoldenScenarioTests` and review the diff.
@Suite(.serialized) struct GoldenScenarioTests {
    let cli = CLITests()

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares (or, with OVERDUE_UPDATE_GOLDEN=1, records) the outbox and cases of `name`.
    func check(_ name: String, db: String) throws {
        let outbox = try cli.overdue(["outbox", "--format", "jsonl", "--db", db])
        let cases = try cli.overdue(["cases", "--format", "jsonl", "--db", db])
        #expect(outbox.code == 0 && cases.code == 0, "\(outbox.err)\(cases.err)")
        for (part, text) in [("outbox", outbox.out), ("cases", cases.out)] {
            let file = Self.golden.appendingPathComponent("\(name).\(part).jsonl")
            if ProcessInfo.processInfo.environment["OVERDUE_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: file)
                continue
            }
            let expected = try String(contentsOf: file, encoding: .utf8)
            let got = Self.numberingIDs(text).split(separator: "\n", omittingEmptySubsequences: false)
            let want = Self.numberingIDs(expected).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(got.count == want.count, "\(name) \(part): \(got.count) lines, expected \(want.count)")
            if let first = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("\(name) \(part) differs at line \(first.offset + 1):\n got: \(first.element.0)\nwant: \(first.element.1)")
            }
        }
    }

    /// `text` with each message id (an HMAC under the database's own master key, different in
    /// every run) replaced by its order of first appearance: what is pinned is which messages are
    /// the same, not their keyed names.
    static func numberingIDs(_ text: String) -> String {
        var seen: [String: Int] = [:]
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "msg_") {
            out += rest[..<r.upperBound]
            let id = rest[r.upperBound...].prefix { $0.isHexDigit }
            let n = seen[String(id)] ?? seen.count
            seen[String(id)] = n
            out += "#\(n)"
            rest = rest[id.endIndex...]
        }
        return out + rest
    }

    func setUp(_ db: String, payments: Bool) throws {
        #expect(try cli.overdue(["import", "invoices", cli.write("inv.csv", CLITests.invoices), "--db", db]).code == 0)
        #expect(try cli.overdue(["import", "contacts", cli.write("con.csv", CLITests.contacts), "--db", db]).code == 0)
        if payments { #expect(try cli.overdue(["import", "payments", cli.write("pay.csv", CLITests.payments), "--db", db]).code == 0) }
        #expect(try cli.overdue(["policy", "set", cli.write("policy.json", CLITests.policy), "--db", db]).code == 0)
    }

    /// Imports, a policy, two months of the ladder on the virtual clock.
    @Test func theLadder() throws {
        let db = "sqlite://\(cli.dir.path)/ladder.sqlite"
        try setUp(db, payments: true)
        #expect(try cli.overdue(["run", "--from", "2026-01-20T00:00:00Z", "--until", "2026-03-21T00:00:00Z", "--db", db]).code == 0)
        try check("ladder", db: db)
    }

    /// The ladder interrupted by replies on every channel, a hold, a person taking a case over and
    /// handing it back, then run on.
    @Test func repliesHoldsAndATakeover() throws {
        let db = "sqlite://\(cli.dir.path)/conversation.sqlite"
        try setUp(db, payments: false)
        #expect(try cli.overdue(["run", "--from", "2026-01-20T00:00:00Z", "--until", "2026-02-05T13:00:00Z", "--db", db]).code == 0)
        let steps: [[String]] = [
            ["reply", "--channel", "sms", "--from", "+13125550101", "--text", "We'll pay Friday", "--at", "2026-02-05T13:30:00Z"],
            [
                "reply", "--channel", "email", "--from", "luis@fastbrokers.example", "--subject", "INV-200",
                "--text", "The detention charge on INV-200 is wrong, we never agreed to it. Please send the signed POD.", "--at", "2026-02-10T15:00:00Z",
            ],
            ["hold", "--debtor", "CONS1", "--until", "2026-02-20T00:00:00Z", "--reason", "customer asked for time to check", "--at", "2026-02-06T00:00:00Z"],
            ["run", "--from", "2026-02-05T13:00:00Z", "--until", "2026-02-12T00:00:00Z"],
            ["takeover", "BRKR1", "--by", "ops@example.com", "--at", "2026-02-12T15:00:00Z"],
            ["run", "--from", "2026-02-12T00:00:00Z", "--until", "2026-02-16T15:00:00Z"],
            ["handback", "BRKR1", "--at", "2026-02-16T15:00:00Z"],
            ["run", "--from", "2026-02-16T15:00:00Z", "--until", "2026-02-21T16:00:00Z"],
            ["reply", "--channel", "sms", "--from", "+525555550101", "--text", "ya pagamos la factura INV-300 ayer", "--at", "2026-02-21T16:00:00Z"],
            ["run", "--from", "2026-02-21T16:00:00Z", "--until", "2026-03-21T00:00:00Z"],
        ]
        for step in steps {
            let r = try cli.overdue(step + ["--db", db])
            #expect(r.code == 0, "\(step.joined(separator: " ")): \(r.err)")
        }
        try check("conversation", db: db)
    }
}

import Foundation
import OverdueChannels
import OverdueCore
import Testing

/// A tenant of `n` debtors, each with one overdue invoice and one email contact, whose first
/// reminder is due at once at any hour (email open around the clock), and worker processes to work it.
struct WorkerFixture {
    let dir: URL
    let db: String
    let n: Int
    /// The sandbox provider's record every worker writes to.
    let record: RecordingChannel
    /// The contacts' time zones, by debtor index: six zones, none of which reaches local midnight in
    /// the next hour — the per-day cap the tests rely on starts afresh at each contact's midnight, so
    /// a run crossing one would rightly send a second attempt there (the chaos test once ran over
    /// 08:00 UTC, midnight in Los Angeles).
    static let zones: [String] = {
        let candidates = [
            "America/Chicago", "America/New_York", "America/Los_Angeles", "America/Phoenix", "Europe/London", "Asia/Kolkata",
            "America/Denver", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "America/Halifax", "Pacific/Honolulu",
        ]
        let now = Date()
        return Array(
            candidates.filter { id in
                let c = Calendar.gregorian(TimeZone(identifier: id)!).dateComponents([.hour, .minute], from: now)
                return c.hour! * 60 + c.minute! < 23 * 60
            }.prefix(6))
    }()

    init(db: String, n: Int, attemptsPerStage: Int = 1) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("overdue-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.db = db
        self.n = n
        record = RecordingChannel(file: dir.appendingPathComponent("provider-record.jsonl"))
        try Data(
            #"{"name": "now", "start_after_due_days": 0, "stages": [{"channel": "email", "attempts": \#(attemptsPerStage), "delay_days": 0}], "on_exhausted": "handoff"}"#
                .utf8
        )
        .write(to: dir.appendingPathComponent("policy.json"))
        #expect(try cli(["policy", "set", "policy.json"]).code == 0)
        for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")] {
            #expect(try cli(["settings", "set", k, v]).code == 0)
        }
    }

    /// Imports the debtors (contacts first, so no case is planned before it can be reached).
    func importDebtors() throws {
        var invoices = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\n"
        var contacts = "debtor_id,name,email,timezone\n"
        for i in 0..<n {
            invoices += "C-\(i),D\(i),Debtor \(i),100.00,USD,2026-01-01,2026-01-31\n"
            contacts += "D\(i),AP \(i),ap\(i)@debtor.example,\(Self.zones[i % Self.zones.count])\n"
        }
        try Data(invoices.utf8).write(to: dir.appendingPathComponent("inv.csv"))
        try Data(contacts.utf8).write(to: dir.appendingPathComponent("con.csv"))
        #expect(try cli(["import", "contacts", "con.csv"]).code == 0)
        #expect(try cli(["import", "invoices", "inv.csv"]).code == 0)
    }

    /// Runs the CLI against the fixture's database.
    @discardableResult
    func cli(_ args: [String]) throws -> CLITests.Output { try CLITests.run(args + ["--db", db], in: dir) }

    /// Starts `overdue worker` with its log (at `logLevel`) in `<name>.log`.
    func startWorker(_ name: String, _ args: [String] = [], logLevel: String = "error") throws -> Process {
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["worker", "--db", db] + args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["OVERDUE_SANDBOX_RECORD"] = record.file.path
        env["OVERDUE_LOG_LEVEL"] = logLevel
        p.environment = env
        let log = dir.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        return p
    }

    /// A worker's log so far.
    func log(_ name: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass; returns whether it held.
    static func eventually(within seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }

    /// Outbound messages as (debtor, at, status, to) from `overdue outbox`.
    func outbox() throws -> [(debtor: String, at: Date, status: String, to: String)] {
        struct Line: Decodable { let debtor_id: String; let at: String; let status: String; let to: String }
        return try cli(["outbox", "--format", "jsonl"]).out.split(separator: "\n").map { raw in
            let l = try JSONDecoder().decode(Line.self, from: Data(raw.utf8))
            return (l.debtor_id, Timestamp.parse(l.at)!, l.status, l.to)
        }
    }

    /// Every rule a sent message breaks, replayed through the core's compliance gate with the messages
    /// before it: windows in the contact's zone, the per-debtor daily cap.
    func ruleBreaches() throws -> [String] {
        var settings = TenantSettings()
        for (k, v) in [("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")] { try settings.set(k, v) }
        let rules = ContactRules(settings: settings)
        var breaches: [String] = []
        let byDebtor = Dictionary(grouping: try outbox().filter { $0.status == "sent" }, by: \.debtor)
        for (debtor, messages) in byDebtor {
            let index = Int(debtor.dropFirst())!
            let contact = Contact(
                id: 1, debtorID: debtor, name: "AP \(index)", email: "ap\(index)@debtor.example", timeZone: Self.zones[index % Self.zones.count])
            var before: [SentAttempt] = []
            for m in messages.sorted(by: { $0.at < $1.at }) {
                let v = ComplianceGate.violations(channel: .email, contact: contact, at: m.at, sent: before, replies: [], rules: rules)
                breaches += v.map { "\(debtor) at \(Timestamp.format(m.at)): \($0.reason.message)" }
                before.append(SentAttempt(at: m.at, channel: .email, contactID: 1))
            }
        }
        return breaches
    }
}

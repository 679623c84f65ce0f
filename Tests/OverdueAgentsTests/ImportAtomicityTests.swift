import Foundation
import Testing
@testable import OverdueAgents
@testable import OverdueCore
@testable import OverdueStore
import OverdueTestSupport

/// Issue 20's "nothing half-written" for the CSV importer writing to a real store: files of good
/// invoice rows with hostile rows mixed in (bad amounts, dates, currencies, quoting, bytes that are
/// not UTF-8, duplicates, cut short). An import that is refused leaves the database exactly as it
/// was; with `skip_invalid` exactly the good rows are written.
@Suite struct ImportAtomicityTests {
    static let seed: UInt64 = 20_261_209
    static let header = "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date"

    struct FileDrawing: SeededDrawing {
        var rng: SeededGenerator
        init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

        /// A file's lines and how many of its rows are good (by invoice number).
        mutating func file(_ index: Int) -> (text: [UInt8], good: Set<String>) {
            var lines = [Array(ImportAtomicityTests.header.utf8)]
            var good = Set<String>()
            for row in 0..<int(1...30) {
                let number = "F\(index)-\(row)"
                let debtor = "D\(int(1...5))"
                if chance(0.8) {
                    lines.append(
                        Array("\(number),\(debtor),Debtor \(debtor),\(int(1...99_999)).\(int(10...99)),USD,2026-01-0\(int(1...9)),2026-02-1\(int(0...9))".utf8))
                    good.insert(number)
                } else {
                    let bad = pick([
                        "\(number),\(debtor),Debtor,12.3.4,USD,2026-01-01,2026-02-01", "\(number),\(debtor),Debtor,100,XYZ,2026-01-01,2026-02-01",
                        "\(number),\(debtor),Debtor,100,USD,2026-13-45,2026-02-01", "\(number),,Debtor,100,USD,2026-01-01,2026-02-01",
                        "\(number),\(debtor),\"Debtor, unclosed,100,USD,2026-01-01,2026-02-01", "\(number),\(debtor),Debtor,-5,USD,2026-01-01,2026-02-01",
                        "\(number),\(debtor)", "\(number),\(debtor),Debtor,100,USD,2026-01-01,2026-02-01,extra,columns",
                    ])
                    var bytes = Array(bad.utf8)
                    if chance(0.1) { bytes.insert(0xFF, at: int(0...(bytes.count - 1))) }  // not UTF-8
                    lines.append(bytes)
                }
            }
            // A number twice: the second is refused.
            if chance(0.2), let first = good.first {
                lines.append(Array("\(first),D1,Debtor D1,10.00,USD,2026-01-01,2026-02-01".utf8))
            }
            let end: [UInt8] = pick([[10], [13, 10]])
            return (Array(lines.joined(separator: end)), good)
        }
    }

    static func counts(_ store: Store) async throws -> [Int64] {
        try await store.read { s in
            var out: [Int64] = []
            for table in ["invoices", "debtors", "jobs", "audit_log", "events"] {
                out.append(try await s.row("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? -1)
            }
            return out
        }
    }

    @Test func aRefusedImportWritesNothingAndSkippingWritesExactlyTheGoodRows() async throws {
        let store = try await Store.open(try await TestDatabases.freshURL(.sqlite))
        defer { Task { await store.close() } }
        try await store.write { try await $0.ensureTenant("acme", now: Date()) }
        let importer = Importer(store: store)
        var refused = 0, skipped = 0
        for index in 0..<300 {
            var drawing = FileDrawing(seed: Self.seed &+ UInt64(index))
            let (bytes, good) = drawing.file(index)
            let skip = index % 2 == 1
            let before = try await Self.counts(store)
            let invoicesBefore = try await store.read { try await $0.row("SELECT COUNT(*) AS n FROM invoices")?.int("n") ?? 0 }
            let context = "file \(index) (seed \(Self.seed &+ UInt64(index)), skip_invalid \(skip))"
            do {
                let report = try await importer.importCSV(Data(bytes), file: "f.csv", kind: .invoices, tenant: "acme", skipInvalid: skip)
                let after = try await store.read { try await $0.row("SELECT COUNT(*) AS n FROM invoices")?.int("n") ?? 0 }
                // What the report says was written is what was written; a row the report refused is not there.
                #expect(after - invoicesBefore == Int64(report.rowsWritten), "\(context): wrote \(after - invoicesBefore), reported \(report.rowsWritten)")
                #expect(skip || report.errors.isEmpty, "\(context): imported in full despite \(report.errors)")
                let written = Set(
                    try await store.read { s in
                        try await s.rows("SELECT number FROM invoices WHERE number LIKE ?", [.text("F\(index)-%")]).map { try $0.string("number") }
                    })
                #expect(written.count == report.rowsWritten, "\(context)")
                // A clean file (no row refused) writes every good row.
                if report.errors.isEmpty { #expect(good.isSubset(of: written), "\(context): good rows missing: \(good.subtracting(written).sorted())") }
                if !report.errors.isEmpty { skipped += 1 }
            } catch let rejected as ImportRejected {
                refused += 1
                #expect(!rejected.report.errors.isEmpty, "\(context): refused without a reason")
                #expect(try await Self.counts(store) == before, "\(context): refused, yet the database changed")
            }
        }
        // Both sides are reached.
        #expect(refused > 100 && skipped > 50, "refused \(refused), imported with skipped rows \(skipped)")
    }
}

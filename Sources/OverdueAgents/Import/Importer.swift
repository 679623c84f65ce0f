import Foundation
import Logging
import OverdueCore
import OverdueStore

/// What an import did.
public struct ImportReport: Hashable, Sendable {
    /// The file.
    public var file: String
    /// What it held.
    public var kind: ImportKind
    /// Data rows read (header excluded).
    public var rowsRead = 0
    /// Rows written.
    public var rowsWritten = 0
    /// Bad rows, each with file, line, column and reason.
    public var errors: [RowError] = []
    /// Header columns Overdue does not know (ignored).
    public var unknownColumns: [String] = []
    /// Debtors whose cases were scheduled for re-planning.
    public var debtorsTouched = 0
    /// Invoices that moved to another debtor on re-import.
    public var movedInvoices: [String] = []
}

/// Nothing was written because rows were bad.
public struct ImportRejected: Error, Sendable, CustomStringConvertible {
    /// The report with every error.
    public var report: ImportReport
    /// What it is, in words.
    public var description: String { report.errors.map(\.description).joined(separator: "\n") }
}

/// Imports invoices, contacts and payments from CSV: validates every row first, then writes all good
/// rows in one transaction (or nothing, unless told to skip invalid rows).
public struct Importer: Sendable {
    let store: Store

    /// Creates an importer.
    public init(store: Store) { self.store = store }

    /// Rows from which an import counts as a bulk load (the planner's statistics are refreshed after).
    static let bulk = 1_000

    /// Progress callback: rows parsed so far, bytes read, total bytes.
    public typealias Progress = @Sendable (_ rows: Int, _ bytesRead: Int, _ totalBytes: Int) -> Void

    /// Imports `data` (the content of `file`) as `kind` into `tenant`.
    public func importCSV(
        _ data: Data, file: String, kind: ImportKind, tenant: String, skipInvalid: Bool,
        progress: Progress? = nil
    ) async throws -> ImportReport {
        let settings = try await store.read { try await $0.settings(tenant) }
        var report = ImportReport(file: file, kind: kind)
        var reader = CSVReader(data: data)
        guard let header = reader.next() else {
            if let e = reader.error {
                report.errors = [RowError(file: file, line: e.line, column: nil, reason: e.message)]
            } else {
                report.errors = [RowError(file: file, line: 1, column: nil, reason: "the file is empty; the first line must be a header naming the columns")]
            }
            throw ImportRejected(report: report)
        }
        let parser: RowParser
        do {
            parser = try RowParser(kind: kind, file: file, header: header, country: settings.country, timeZone: settings.timeZoneIdentifier)
        } catch {
            report.errors = error.errors
            throw ImportRejected(report: report)
        }
        report.unknownColumns = parser.unknownColumns

        var invoices: [InvoiceRow] = []
        var contacts: [Contact] = []
        var payments: [Payment] = []
        var firstLine: [String: Int] = [:]
        var occurrences: [String: Int] = [:]
        while let record = reader.next() {
            report.rowsRead += 1
            if let progress, report.rowsRead % 100_000 == 0 { progress(report.rowsRead, reader.bytesRead, reader.byteCount) }
            switch kind {
            case .invoices:
                switch parser.invoice(record) {
                case .success(let row):
                    if let earlier = firstLine[row.invoice.number] {
                        report.errors.append(
                            RowError(
                                file: file, line: record.line, column: "invoice_number",
                                reason: "'\(row.invoice.number)' already appears on line \(earlier)"))
                    } else {
                        firstLine[row.invoice.number] = record.line
                        invoices.append(row)
                    }
                case .failure(let e): report.errors += e.errors
                }
            case .contacts:
                switch parser.contact(record) {
                case .success(let row):
                    let k = row.debtorID + "\u{1F}" + row.name
                    if let earlier = firstLine[k] {
                        report.errors.append(
                            RowError(
                                file: file, line: record.line, column: "name",
                                reason: "contact '\(row.name)' of debtor '\(row.debtorID)' already appears on line \(earlier)"))
                    } else {
                        firstLine[k] = record.line
                        contacts.append(row)
                    }
                case .failure(let e): report.errors += e.errors
                }
            case .payments:
                let result = parser.payment(record) { content in
                    occurrences[content, default: 0] += 1
                    return occurrences[content]!
                }
                switch result {
                case .success(let p):
                    if let earlier = firstLine[p.id] {
                        report.errors.append(
                            RowError(file: file, line: record.line, column: "payment_id", reason: "'\(p.id)' already appears on line \(earlier)"))
                    } else {
                        firstLine[p.id] = record.line
                        payments.append(p)
                    }
                case .failure(let e): report.errors += e.errors
                }
            }
        }
        if let e = reader.error {
            report.errors.append(RowError(file: file, line: e.line, column: nil, reason: e.message + "; nothing after this line was read"))
        }
        progress?(report.rowsRead, reader.bytesRead, reader.byteCount)
        if !report.errors.isEmpty && !skipInvalid { throw ImportRejected(report: report) }

        let debtorIDs: [String]
        switch kind {
        case .invoices: debtorIDs = Array(Set(invoices.map(\.invoice.debtorID))).sorted()
        case .contacts: debtorIDs = Array(Set(contacts.map(\.debtorID))).sorted()
        case .payments: debtorIDs = Array(Set(payments.map(\.debtorID))).sorted()
        }
        let (invoicesToWrite, contactsToWrite, paymentsToWrite) = (invoices, contacts, payments)
        let moved = try await store.write { s -> [String] in
            var moved: [String] = []
            switch kind {
            case .invoices:
                var names: [String: String] = [:]
                for row in invoicesToWrite { names[row.invoice.debtorID] = row.debtorName }
                try await s.upsertDebtors(tenant, names.keys.sorted().map { Debtor(id: $0, name: names[$0]!) })
                let existing = try await s.invoiceDebtors(tenant, numbers: invoicesToWrite.map(\.invoice.number))
                moved = invoicesToWrite.filter { row in existing[row.invoice.number].map { $0 != row.invoice.debtorID } ?? false }.map(\.invoice.number)
                try await s.upsertInvoices(tenant, invoicesToWrite.map(\.invoice))
                if !moved.isEmpty {
                    // The debtor an invoice moved away from must be re-planned too.
                    try await s.schedule(tenant, subjects: Array(Set(moved.compactMap { existing[$0] })).sorted(), at: Session.asap, mode: .earliest)
                }
            case .contacts:
                try await s.ensureDebtors(tenant, debtorIDs)
                try await s.upsertContacts(tenant, contactsToWrite)
            case .payments:
                try await s.ensureDebtors(tenant, debtorIDs)
                try await s.upsertPayments(tenant, paymentsToWrite)
            }
            try await s.schedule(tenant, subjects: debtorIDs, at: Session.asap, mode: .earliest)
            return moved
        }
        report.rowsWritten = invoices.count + contacts.count + payments.count
        report.debtorsTouched = debtorIDs.count
        if report.rowsWritten >= Self.bulk {
            let table = [ImportKind.invoices: "invoices", .contacts: "contacts", .payments: "payments"][kind]!
            try await store.refreshStatistics(of: ["debtors", table, "jobs"])
        }
        report.movedInvoices = moved
        return report
    }
}

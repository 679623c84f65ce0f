import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// Importing the ledger — invoices, contacts, payments as CSV — from `overdue import` and the
/// API (`POST /api/v1/imports/{kind}`, `POST /api/v1/{kind}:batch`).
extension UseCases {
    /// Imports `data` (a CSV file named `file` in messages) of `kind` into the tenant: all or
    /// nothing unless `skipInvalid` (then the good rows, the bad ones in the report). Every
    /// debtor touched is re-planned. Throws `ImportRejected` with every bad row when nothing was
    /// written. `progress` is told as rows are read.
    public func importCSV(
        tenant: String, data: Data, file: String, kind: ImportKind, skipInvalid: Bool,
        progress: Importer.Progress? = nil
    ) async throws -> ImportReport {
        try await Importer(store: store).importCSV(data, file: file, kind: kind, tenant: tenant, skipInvalid: skipInvalid, progress: progress)
    }
}

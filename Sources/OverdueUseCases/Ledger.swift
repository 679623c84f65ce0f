import Foundation
import OverdueAgents
import OverdueCore
import OverdueStore

/// The ledger as the doors list it — debtors, invoices, payments, promises, documents — and the
/// documents a person attaches to an invoice (`POST /api/v1/invoices/{number}/documents`,
/// `overdue docs add`).
extension UseCases {
    /// A debtor with everything on file about it.
    public struct DebtorFile: Sendable {
        /// The debtor.
        public var debtor: Debtor
        /// Its contacts.
        public var contacts: [Contact]
        /// Its invoices.
        public var invoices: [Invoice]
        /// Its payments.
        public var payments: [Payment]
    }

    /// Up to `limit` debtors after `after` (by id), whose id or name contains `search`.
    public func debtors(tenant: String, after: String?, search: String?, limit: Int) async throws -> [Debtor] {
        try await store.read { try await $0.debtors(tenant, after: after, search: search, limit: limit) }
    }

    /// Debtor `id` with its contacts, invoices and payments (nil: the tenant has no such debtor).
    public func debtorFile(tenant: String, id: String) async throws -> DebtorFile? {
        try await store.read { s in
            guard let d = try await s.debtor(tenant, id) else { return nil }
            return DebtorFile(
                debtor: d, contacts: try await s.contacts(tenant, debtor: id), invoices: try await s.invoices(tenant, debtor: id),
                payments: try await s.payments(tenant, debtor: id))
        }
    }

    /// Debtor `id`, if the tenant has it.
    public func debtor(tenant: String, id: String) async throws -> Debtor? {
        try await store.read { try await $0.debtor(tenant, id) }
    }

    /// Up to `limit` invoices after number `after`, of `debtor` when given, due between `dueFrom` and `dueTo`.
    public func invoices(tenant: String, debtor: String?, dueFrom: LocalDate?, dueTo: LocalDate?, after: String?, limit: Int) async throws -> [Invoice] {
        try await store.read { try await $0.invoices(tenant, debtor: debtor, dueFrom: dueFrom, dueTo: dueTo, after: after, limit: limit) }
    }

    /// Invoice `number`, if the tenant has it.
    public func invoice(tenant: String, number: String) async throws -> Invoice? {
        try await store.read { try await $0.invoice(tenant, number: number) }
    }

    /// How many invoices the tenant has.
    public func invoiceCount(tenant: String) async throws -> Int {
        try await store.read { try await $0.invoiceCount(tenant) }
    }

    /// A debtor's payments.
    public func payments(tenant: String, debtor: String) async throws -> [Payment] {
        try await store.read { try await $0.payments(tenant, debtor: debtor) }
    }

    /// A debtor's promises, with `status` only when given.
    public func commitments(tenant: String, debtor: String, status: Commitment.Status? = nil) async throws -> [Commitment] {
        try await store.read { try await $0.commitments(tenant, debtor: debtor) }.filter { status == nil || $0.status == status }
    }

    /// Documents on file: a debtor's, or every one of the tenant's.
    public func documents(tenant: String, debtor: String? = nil) async throws -> [StoredDocument] {
        try await store.read { try await $0.documents(tenant, debtor: debtor) }
    }

    /// The documents of invoice `number`; refused (`notFound`) when the tenant has no such invoice.
    public func documents(tenant: String, invoice number: String) async throws -> [StoredDocument] {
        guard let inv = try await invoice(tenant: tenant, number: number) else { throw UseCaseError.notFound("invoice", "no invoice '\(number)'") }
        return try await documents(tenant: tenant, debtor: inv.debtorID).filter { $0.ref.invoiceNumber == number }
    }

    /// Document `id` and its bytes (nil: the tenant has no such document, or its file is gone).
    public func document(tenant: String, id: String) async throws -> (document: StoredDocument, data: Data)? {
        guard let doc = try await documents(tenant: tenant).first(where: { $0.ref.id == id }),
            let data = try? Data(contentsOf: documentLibrary.file(doc))
        else { return nil }
        return (doc, data)
    }

    /// What a document link opens.
    public enum DocumentLink: Sendable {
        /// The document and its bytes.
        case document(tenant: String, document: StoredDocument, data: Data)
        /// The link was good but its time is over (the debtor can ask for it again).
        case expired
        /// No such link (a token or signature nobody issued), or the file is gone.
        case unknown
    }

    /// The document a debtor's link opens: `token` with its expiry `expires` (Unix seconds) and
    /// `signature` (see `DocumentLibrary.link`), as of the clock's now.
    public func document(token: String, expires: Int64?, signature: String?) async throws -> DocumentLink {
        guard let expires, let signature, signature.utf8.count == 32 else { return .unknown }
        // Compared in constant time: the answer's timing says nothing about how much was right.
        let wanted = store.linkSignature(token, expires: expires)
        guard zip(signature.utf8, wanted.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return .unknown }
        guard clock.now().timeIntervalSince1970 < Double(expires) else { return .expired }
        guard let found = try await store.read({ try await $0.document(token: token) }),
            let data = try? Data(contentsOf: documentLibrary.file(found.document))
        else { return .unknown }
        return .document(tenant: found.tenant, document: found.document, data: data)
    }

    /// Files `data` (named `filename`) as a document of kind `kind` of invoice `invoice`. Refused
    /// (`notFound`) when the tenant has no such invoice, `invalid` when the file is empty or not
    /// a kind of file Overdue sends.
    @discardableResult
    public func addDocument(tenant: String, invoice: String, data: Data, filename: String, kind: DocumentKind, at: Date? = nil) async throws -> StoredDocument {
        guard try await self.invoice(tenant: tenant, number: invoice) != nil else { throw UseCaseError.notFound("invoice", "no invoice '\(invoice)'") }
        do {
            return try await documentLibrary.add(
                store: store, tenant: tenant, invoice: invoice, data: data, filename: filename, kind: kind, now: at ?? clock.now())
        } catch let e as DocumentLibrary.Failure {
            throw UseCaseError.invalid("file", e.description)
        }
    }
}

import Foundation
import OverdueCore
import OverdueStore

/// Renders a template as a debtor (or a sample invoice) would receive it — for `overdue templates
/// preview` and `POST /api/v1/templates/preview`, optionally with an unsaved draft in place of the
/// stored template.
public enum TemplatePreview {
    /// Why a preview cannot be made.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What is wrong.
        public let description: String
    }

    /// The rendered message.
    public static func render(
        store: Store, tenant: String, name: String, channel: Channel, debtor debtorID: String?,
        draft: TemplateOverride? = nil, now given: Date? = nil
    ) async throws -> ComposedMessage {
        let now = given ?? store.clock.now()
        let (stored, settings, found) = try await store.read { s -> ([TemplateOverride], TenantSettings, (Debtor, [Contact], [Invoice], [Payment])?) in
            var found: (Debtor, [Contact], [Invoice], [Payment])?
            if let debtorID {
                guard let debtor = try await s.debtor(tenant, debtorID) else { throw Failure(description: "no debtor '\(debtorID)' in tenant \(tenant)") }
                found = (
                    debtor, try await s.contacts(tenant, debtor: debtorID), try await s.invoices(tenant, debtor: debtorID),
                    try await s.payments(tenant, debtor: debtorID)
                )
            }
            return (try await s.templates(tenant), try await s.settings(tenant), found)
        }
        var overrides = stored
        if let draft {
            overrides.removeAll { $0.name == draft.name && $0.channel == draft.channel }
            overrides.append(draft)
        }
        let today = LocalDate(now, in: settings.timeZone)
        var lines: [InvoiceLine] = []
        var who = Debtor(id: "SAMPLE", name: "Sample Shipper Inc")
        var contact = "Dana Reyes"
        if let (debtor, contacts, invoices, payments) = found {
            who = debtor
            contact = contacts.first?.name ?? contact
            let ledger = Ledger.allocate(invoices: invoices, payments: payments, asOf: today)
            lines = ledger.open(invoices).sorted { $0.dueDate < $1.dueDate }.map {
                InvoiceLine(
                    invoice: $0, balance: Money(minorUnits: ledger.balances[$0.number]!, currency: $0.amount.currency),
                    daysPastDue: max(0, $0.dueDate.days(until: today)))
            }
        } else {
            let sample = Invoice(
                number: "INV-1001", debtorID: "SAMPLE", amount: Money(minorUnits: 245_000, currency: settings.currency), issueDate: today.adding(days: -45),
                dueDate: today.adding(days: -15), loadNumber: "448812", proNumber: "PRO-77812", bolNumber: "BOL-5531")
            lines = [InvoiceLine(invoice: sample, balance: sample.amount, daysPastDue: 15)]
        }
        let parts = name.split(separator: ".")
        let kind = MessageKind(rawValue: String(parts[0])) ?? .reminder
        let tone = parts.count > 1 ? TemplateComposer.Tone(rawValue: String(parts[1])) ?? .friendly : .friendly
        let request = CompositionRequest(
            kind: kind, channel: channel, tone: tone, debtor: who, contactName: contact, invoices: lines, settings: settings,
            details: [
                "promise_date": today.adding(days: 3).description, "amount": lines.first?.balance.description ?? "",
                "dispute_reason": DisputeReason.accessorial.label,
                "document": DocumentKind.pod.label, "callback_time": "\(today.adding(days: 1)) 14:00", "installments": "3", "keyword": "STOP",
            ],
            lines: kind == .disputeReceived
                ? DisputeReason.accessorial.evidenceChecklist
                : ["\(today.adding(days: 7)): 1/3", "\(today.adding(days: 21)): 2/3", "\(today.adding(days: 35)): 3/3"],
            documents: [
                (
                    DocumentRef(
                        id: "doc", invoiceNumber: lines.first?.invoice.number ?? "", kind: .pod, filename: "pod.pdf", contentType: "application/pdf", size: 0,
                        sha256: ""),
                    settings.value("public_url").map { $0 + "/d/…" }
                )
            ])
        do { return try TemplateComposer(overrides: overrides).compose(request) } catch { throw Failure(description: "\(error)") }
    }
}

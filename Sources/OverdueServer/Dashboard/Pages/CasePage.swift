import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// One case: its ledger, contacts, timeline and the forms a person acts with.
extension Pages {
    typealias CaseData = UseCases.CaseFile

    /// One timeline entry.
    struct Entry {
        let at: Date
        let kind: String
        /// The contact a message went to or came from (their local time is shown beside it).
        var contact: Contact? = nil
        let html: HTML
    }

    static func timeline(_ d: CaseData, viewer: Viewer? = nil, back: String = "/app/inbox") -> [Entry] {
        var out: [Entry] = []
        for m in d.messages {
            let waiting = m.status == .draft || m.status == .suggested
            let approve: HTML =
                waiting && viewer?.role.allows(.manage) == true
                ? """
                <div class="row">
                  <form method="post" action="/app/messages/\(m.id)/approve"><input type="hidden" name="_csrf" value="\(viewer!.csrf)"><input type="hidden" name="back" value="\(back)"><button type="submit">Approve and send</button></form>
                  <form method="post" action="/app/messages/\(m.id)/discard"><input type="hidden" name="_csrf" value="\(viewer!.csrf)"><input type="hidden" name="back" value="\(back)"><button type="submit" class="secondary">Discard</button></form>
                </div>
                """ : .empty
            let address = { (a: String?) in a.map { $0.contains("@") ? $0 : PhoneNumber.display($0) } ?? "?" }
            let dir = m.direction == .inbound ? "from \(m.contactName ?? address(m.from))" : "to \(m.contactName ?? address(m.to))"
            let contact = d.contacts.first { $0.id == m.contactID }
            out.append(
                Entry(
                    at: m.at, kind: m.direction == .inbound ? "in" : "out", contact: contact,
                    html: """
                        <strong>\(m.channel.rawValue) \(dir)</strong> <span class="muted">\(m.kind) · \(m.status.rawValue)</span>
                        \(m.subject.map { s -> HTML in "<div class=\"subject\">\(s)</div>" })
                        <blockquote>\(m.body)</blockquote>
                        \(m.recordingURL.map { u -> HTML in "<a href=\"\(u)\">Recording</a>" })
                        \(m.composition.map { c -> HTML in "<div class=\"muted small\">\(c.summary)</div>" })
                        \(approve)
                        """))
        }
        for dec in d.decisions {
            out.append(
                Entry(
                    at: dec.at, kind: "decision",
                    html: "<strong>Decision: \(dec.action)</strong><ul>\(dec.reasons.map { r -> HTML in "<li>\(r.message)</li>" })</ul>"))
        }
        for p in d.promises {
            out.append(
                Entry(
                    at: p.madeAt, kind: "promise",
                    html:
                        "<strong>\(p.kind == .promise ? "Promise" : "Payment claim")</strong> \(p.target.description) by \(p.date.description) — \(p.status.rawValue)"
                ))
        }
        for x in d.disputes {
            out.append(
                Entry(
                    at: x.openedAt, kind: "dispute",
                    html: "<strong>Dispute</strong> on \(x.invoiceNumber): \(x.reason.label) — \(x.status.rawValue)\(x.resolution.map { " (\($0))" } ?? "")"))
        }
        for h in d.holds {
            out.append(
                Entry(
                    at: h.until, kind: "hold",
                    html: "<strong>Hold</strong>\(h.invoiceNumber.map { " on \($0)" } ?? "") until \(when(h.until, viewer?.zone ?? d.zone)): \(h.reason)"))
        }
        for p in d.payments {
            out.append(
                Entry(
                    at: p.date.at(hour: 12, in: TimeZone(identifier: "UTC")!), kind: "payment",
                    html: "<strong>Payment</strong> \(p.amount.description)\(p.reference.map { " · \($0)" } ?? "")"))
        }
        return out.sorted { ($0.at, $0.kind) > ($1.at, $1.kind) }
    }

    static func localTime(_ now: Date, _ zone: TimeZone) -> String { stamp(now, zone, "EEE HH:mm") }

    static func casePage(_ d: CaseData, viewer: Viewer, flash: Flash? = nil) -> HTML {
        let r = d.record
        let contacts = HTML.join(
            d.contacts.map { c -> HTML in
                let out = d.suppressions.filter { $0.contactID == c.id }.map { $0.channel?.rawValue ?? "all" }
                return """
                    <tr><th scope="row">\(c.name)\(c.role.map { r -> HTML in " <span class=\"muted\">(\(r))</span>" })</th>
                    <td>\(c.email ?? "—")</td><td>\(phone(c.phone))</td>
                    <td>\(c.smsConsent ? "SMS ✓" : "SMS ✗") \(c.callConsent ? "calls ✓" : "calls ✗")</td>
                    <td>\(out.isEmpty ? "—" : "opted out: " + out.joined(separator: ", "))</td>
                    <td>\(c.timeZone) · \(localTime(d.now, c.zone))</td></tr>
                    """
            })
        let invoices = HTML.join(
            d.invoices.map { i -> HTML in
                let docs = d.documents.filter { $0.ref.invoiceNumber == i.number }.map { doc -> HTML in
                    "<a href=\"/api/v1/documents/\(doc.ref.id)\">\(doc.ref.kind.label)</a>"
                }
                return
                    "<tr><th scope=\"row\">\(i.number)</th><td class=\"num\">\(i.amount.description)</td><td>\(i.dueDate.description)</td><td>\(i.loadNumber ?? "")</td><td>\(HTML.join(docs, separator: ", "))</td></tr>"
            })
        let base = "/app/cases/\(r.debtorID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? r.debtorID)"
        let entries = HTML.join(
            timeline(d, viewer: viewer, back: base).map { e -> HTML in
                "<li class=\"ev \(e.kind)\">\(when(e.at, viewer.zone, contact: e.contact))<div>\(e.html)</div></li>"
            })
        let next: HTML =
            r.nextActionAt.map { at -> HTML in
                "<p><strong>Next:</strong> \(r.nextActionChannel?.rawValue ?? "action") at \(when(at, viewer.zone))</p>"
            } ?? "<p><strong>Next:</strong> nothing scheduled</p>"
        let why = HTML.join(r.reasons.map { x -> HTML in "<li>\(x.message)</li>" })
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let open = d.openInvoices
        let invoiceOptions = HTML.join(open.map { n -> HTML in "<option>\(n)</option>" })
        let allInvoiceOptions = HTML.join(d.invoices.map { i -> HTML in "<option>\(i.number)</option>" })
        let reasonOptions = HTML.join(DisputeReason.allCases.map { x -> HTML in "<option value=\"\(x.rawValue)\">\(x.label)</option>" })
        let openDisputes = d.disputes.filter { $0.status == .open }
        let resolveForms = HTML.join(
            openDisputes.map { x -> HTML in
                """
                <form method="post" action="\(base)/disputes/\(x.id)/resolve">\(csrf)
                  <label for="res-\(x.id)">Resolve the dispute on \(x.invoiceNumber) (\(x.reason.label)) — how was it settled?</label>
                  <input id="res-\(x.id)" name="resolution" required placeholder="credit note issued, POD sent…">
                  <button type="submit">Resolve</button>
                </form>
                """
            })
        let today = LocalDate(d.now, in: d.zone).description
        let actions: HTML =
            viewer.role.allows(.work)
            ? """
            <section class="card"><h2>Record</h2><div class="actions">
              <form method="post" action="\(base)/promise">\(csrf)
                <h3>Promise to pay</h3>
                <label for="p-date">Promised date</label><input id="p-date" name="date" type="date" min="\(today)" required>
                <label for="p-amount">Amount <span class="hint">(empty: the whole open balance)</span></label><input id="p-amount" name="amount" inputmode="decimal">
                <label for="p-channel">Heard by</label><select id="p-channel" name="channel"><option value="voice">phone</option><option>email</option><option>sms</option></select>
                <button type="submit">Record promise</button>
              </form>
              <form method="post" action="\(base)/payment">\(csrf)
                <h3>Payment received</h3>
                <label for="pay-amount">Amount</label><input id="pay-amount" name="amount" inputmode="decimal" required>
                <label for="pay-date">Received on</label><input id="pay-date" name="date" type="date" max="\(today)" value="\(today)" required>
                <label for="pay-invoice">For invoice <span class="hint">(empty: oldest first)</span></label><select id="pay-invoice" name="invoice"><option value="">—</option>\(allInvoiceOptions)</select>
                <label for="pay-ref">Reference <span class="hint">(check or remittance number)</span></label><input id="pay-ref" name="reference">
                <button type="submit">Record payment</button>
              </form>
              <form method="post" action="\(base)/dispute">\(csrf)
                <h3>Dispute</h3>
                <label for="d-invoice">Invoice</label><select id="d-invoice" name="invoice" required>\(invoiceOptions)</select>
                <label for="d-reason">Reason</label><select id="d-reason" name="reason">\(reasonOptions)</select>
                <label for="d-note">Note</label><input id="d-note" name="note">
                <button type="submit"\(open.isEmpty ? " disabled" : "")>Open dispute</button>
              </form>
              \(resolveForms)
            </div></section>
            <section class="card"><h2>Act</h2><div class="actions">
              <form method="post" action="\(base)/message">\(csrf)
                <label for="channel">Channel</label><select id="channel" name="channel"><option>email</option><option>sms</option></select>
                <label for="text">Message</label><textarea id="text" name="text" rows="3" required></textarea>
                <button type="submit">Send</button>
              </form>
              <form method="post" action="\(base)/hold">\(csrf)
                <label for="reason">Hold because</label><input id="reason" name="reason" required>
                <label for="until">until</label><input id="until" name="until" type="date" required>
                <button type="submit">Hold</button>
              </form>
              <form method="post" action="\(base)/\(r.status == .handoff ? "handback" : "takeover")">\(csrf)
                <p class="muted small">\(r.status == .handoff ? "A person has this case: nothing automatic is sent." : "Take the case: automation stops until you hand it back.")</p>
                <button type="submit">\(r.status == .handoff ? "Hand back to automation" : "Take over")</button>
              </form>
            </div></section>
            """ : .empty
        return layout(
            title: r.debtorName, viewer: viewer, current: "/app/cases",
            """
            <h1>\(r.debtorName) <span class="status \(r.status.rawValue)">\(r.status.rawValue)</span></h1>
            \(flash?.html ?? .empty)
            <section class="tiles">
              <div class="tile"><span class="k">Open</span><span class="v">\(r.balance?.description ?? "—")</span></div>
              <div class="tile"><span class="k">Open invoices</span><span class="v">\(r.openInvoices)</span></div>
              <div class="tile"><span class="k">Oldest due</span><span class="v">\(r.oldestDue?.description ?? "—")</span></div>
            </section>
            <section class="card"><h2>Why</h2>\(next)<ul>\(why)</ul></section>
            <section class="card"><h2>Contacts</h2>
              <table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">Consent</th><th scope="col">Opt-outs</th><th scope="col">Local time</th></tr></thead>
              <tbody>\(contacts)</tbody></table></section>
            <section class="card"><h2>Invoices</h2>
              <table><thead><tr><th scope="col">Invoice</th><th scope="col">Amount</th><th scope="col">Due</th><th scope="col">Load</th><th scope="col">Documents</th></tr></thead>
              <tbody>\(invoices)</tbody></table></section>
            \(actions)
            <section class="card"><h2>Timeline</h2><ol class="timeline">\(entries)</ol></section>
            """)
    }
}

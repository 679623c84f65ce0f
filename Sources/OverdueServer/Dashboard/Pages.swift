import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The dashboard's pages as pure functions of what they show: no I/O here, so each page can be
/// rendered from fixed data in a test.
enum Pages {
    /// Who is looking, for the header and the forms.
    struct Viewer: Sendable {
        let email: String
        let role: Role
        let tenant: String
        let csrf: String
    }

    /// A one-time message from the last form post.
    enum Flash: Sendable, Equatable {
        case notice(String)
        case error(String)
        var isError: Bool { if case .error = self { true } else { false } }
        var text: String { switch self { case .notice(let t), .error(let t): t } }
        var html: HTML {
            isError ? "<p class=\"error\" role=\"alert\">\(text)</p>" : "<p class=\"notice\" role=\"status\">\(text)</p>"
        }
    }

    static let nav: [(path: String, label: String)] = [("/app", "Overview"), ("/app/cases", "Worklist"), ("/app/inbox", "Inbox"), ("/app/cadence", "Cadence"), ("/app/templates", "Templates"),
                                                        ("/app/import", "Import"), ("/app/settings", "Settings"), ("/app/account", "Account")]

    /// The page shell: header with navigation and sign-out, main content.
    static func layout(title: String, viewer: Viewer?, current: String = "", _ content: HTML) -> HTML {
        let items = nav + (viewer?.role.allows(.administer) == true ? [("/app/audit", "Audit log")] : [])
        let links = items.map { item -> HTML in
            item.path == current ? "<a href=\"\(item.path)\" aria-current=\"page\">\(item.label)</a>" : "<a href=\"\(item.path)\">\(item.label)</a>"
        }
        let header: HTML = viewer.map { v in
            """
            <header class="top">
              <a class="brand" href="/app">Overdue</a>
              <nav aria-label="Main">\(links)</nav>
              <form class="signout" method="post" action="/logout">
                <input type="hidden" name="_csrf" value="\(v.csrf)">
                <span class="who">\(v.email) · \(v.role.rawValue) · \(v.tenant)</span>
                <button type="submit">Sign out</button>
              </form>
            </header>
            """
        } ?? "<header class=\"top\"><span class=\"brand\">Overdue</span></header>"
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Overdue</title>
        <link rel="stylesheet" href="/app/style.css">
        <link rel="manifest" href="/app/manifest.webmanifest">
        <meta name="theme-color" content="#1f3a5f">
        </head>
        <body>
        \(header)
        <main id="main">
        \(content)
        </main>
        </body>
        </html>
        """
    }

    // MARK: Sign-in

    static func login(error: String?, email: String, next: String) -> HTML {
        layout(title: "Sign in", viewer: nil, """
        <section class="card narrow">
          <h1>Sign in</h1>
          \(error.map { e -> HTML in "<p class=\"error\" role=\"alert\">\(e)</p>" })
          <form method="post" action="/login">
            <input type="hidden" name="next" value="\(next)">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="\(email)">
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <label for="totp">Authenticator code <span class="hint">(if you set one up)</span></label>
            <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*">
            <button type="submit">Sign in</button>
          </form>
        </section>
        """)
    }

    // MARK: Overview

    typealias OverviewData = UseCases.OverviewFigures

    static func percent(_ rate: Double?) -> String { rate.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    /// DSO as columns, one per month, the figure above each; months without sales say so.
    static func dsoChart(_ points: [DSOTrend.Point]) -> HTML {
        let top = max(30, (points.compactMap(\.days).max() ?? 30) * 1.15)
        let width = 720, height = 190, base = 160, slot = width / max(1, points.count)
        let columns = points.enumerated().map { i, p -> HTML in
            let x = i * slot + slot / 4
            let label: HTML = "<text x=\"\(x + slot / 4)\" y=\"\(base + 18)\" class=\"tick\">\(p.month)</text>"
            guard let d = p.days else {
                return "\(label)<text x=\"\(x + slot / 4)\" y=\"\(base - 6)\" class=\"value\">no sales</text>"
            }
            let h = Int(d / top * Double(base - 20))
            return "\(label)<rect x=\"\(x)\" y=\"\(base - h)\" width=\"\(slot / 2)\" height=\"\(h)\" rx=\"3\"></rect><text x=\"\(x + slot / 4)\" y=\"\(base - h - 6)\" class=\"value\">\(Int(d.rounded())) d</text>"
        }
        let summary = points.map { "\($0.month): \($0.days.map { "\(Int($0.rounded())) days" } ?? "no sales")" }.joined(separator: ", ")
        return "<svg class=\"dso\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"DSO by month: \(summary)\"><title>DSO by month</title><line x1=\"0\" y1=\"\(base)\" x2=\"\(width)\" y2=\"\(base)\" class=\"grid\"></line>\(columns)</svg>"
    }

    static func money(_ minor: Int64, _ currency: Currency) -> String { Money(minorUnits: minor, currency: currency).description }

    /// Horizontal bars as inline SVG, with the figures as text for screen readers.
    static func bars(_ rows: [(label: String, value: Int64, note: String)], title: String) -> HTML {
        let maxValue = max(1, rows.map(\.value).max() ?? 1)
        // Bars up to 360 units wide after a 110-unit label column, leaving room for the figures.
        let height = rows.count * 28 + 4
        let bars = rows.enumerated().map { i, r -> HTML in
            let w = Int((Double(r.value) / Double(maxValue)) * 360)
            let y = i * 28 + 2
            return """
            <text x="0" y="\(y + 17)" class="label">\(r.label)</text><rect x="110" y="\(y + 4)" width="\(max(w, r.value > 0 ? 2 : 0))" height="18" rx="3"></rect><text x="\(110 + w + 6)" y="\(y + 17)" class="value">\(r.note)</text>
            """
        }
        return """
        <svg class="bars" viewBox="0 0 720 \(height)" role="img" aria-label="\(title)"><title>\(title)</title>\(bars)</svg>
        """
    }

    static func overview(_ d: OverviewData, viewer: Viewer) -> HTML {
        let o = d.overview
        let cur = o.currency
        let aging = bars(o.aging.map { ($0.bucket.label, $0.amount, "\(money($0.amount, cur)) · \($0.cases) case\($0.cases == 1 ? "" : "s")") }, title: "Open balance by age")
        let kept = d.promises.keptRate.map { String(format: "%.0f%%", $0 * 100) } ?? "—"
        let disputeRows = d.disputes.isEmpty ? "<p class=\"muted\">No open disputes.</p>" :
            HTML.join(d.disputes.map { "<li><span>\($0.reason)</span> <strong>\($0.count)</strong></li>" }).wrapped("ul", class: "counts")
        let effectRows = HTML.join(d.effectiveness.map { e -> HTML in
            """
            <tr><th scope="row">\(e.channel.rawValue)</th><td>\(e.stage.map { "stage \($0)" } ?? "by a person")</td><td class="num">\(e.sent)</td>
            <td class="num">\(e.replied) <span class="muted">(\(percent(e.replyRate)))</span></td><td class="num">\(e.paid) <span class="muted">(\(percent(e.payRate)))</span></td></tr>
            """
        })
        let latestDSO = d.dso.last?.days.map { "\(Int($0.rounded())) days" } ?? "—"
        return layout(title: "Overview", viewer: viewer, current: "/app", """
        <h1>Overview</h1>
        <section class="tiles" aria-label="Totals">
          <div class="tile"><span class="k">Overdue</span><span class="v">\(money(o.overdue, cur))</span></div>
          <div class="tile"><span class="k">Open</span><span class="v">\(money(o.open, cur))</span></div>
          <div class="tile"><span class="k">Collected this month</span><span class="v">\(money(d.collected, cur))</span></div>
          <div class="tile"><span class="k">Promises due this week</span><span class="v">\(d.promises.dueThisWeek)</span><span class="s">\(money(d.promises.dueThisWeekAmount, cur))</span></div>
          <div class="tile"><span class="k">DSO</span><span class="v">\(latestDSO)</span><span class="s">receivables ÷ 3 months' sales</span></div>
          <div class="tile"><span class="k">Promises kept</span><span class="v">\(kept)</span><span class="s">\(d.promises.kept) kept · \(d.promises.broken) broken</span></div>
          \(d.model.map { m -> HTML in """
          <div class="tile"><span class="k">Model this month</span><span class="v">\(m.written) written</span><span class="s">\(m.fellBack) by template instead · \(m.tokens) tokens · \(m.averageMilliseconds) ms each</span></div>
          """ })
        </section>
        <section class="card"><h2>Aging</h2>\(aging)
          \(o.otherCurrencyCases > 0 ? "<p class=\"muted\">\(o.otherCurrencyCases) case(s) billed in other currencies are not in these totals.</p>" as HTML : .empty)
        </section>
        <div class="cols">
          <section class="card"><h2>Open disputes by reason</h2>\(disputeRows)</section>
          <section class="card"><h2>DSO trend</h2>\(dsoChart(d.dso))
            <p class="muted small">Days sales outstanding at each month's end (this month: to date), in \(cur.code).</p></section>
        </div>
        <section class="card"><h2>What works (last 90 days)</h2>
          <table><thead><tr><th scope="col">Channel</th><th scope="col">Stage</th><th scope="col">Sent</th><th scope="col">Reply followed</th><th scope="col">Payment followed</th></tr></thead>
          <tbody>\(effectRows)</tbody></table>
          \(d.effectiveness.isEmpty ? "<p class=\"muted\">Nothing sent yet.</p>" as HTML : .empty)
          <p class="muted small">A reply or payment counts for the last attempt sent to that debtor in the 14 days before it. These figures and the DSO trend are refreshed once a minute.</p>
        </section>
        """)
    }

    // MARK: Worklist

    typealias WorkItem = UseCases.WorkItem

    /// Worklist rows per page.
    static let worklistPageSize = 100

    /// Earlier/later links keeping the page's other query parameters.
    static func pager(_ path: String, page: Int, pages: Int, keep: [(String, String)], label: String) -> HTML {
        guard pages > 1 else { return .empty }
        func link(_ p: Int) -> String {
            var c = URLComponents()
            c.queryItems = keep.filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) } + [URLQueryItem(name: "page", value: String(p))]
            return path + "?" + (c.percentEncodedQuery ?? "")
        }
        return """
        <nav class="pager" aria-label="\(label)">\(page > 1 ? "<a href=\"\(link(page - 1))\" rel=\"prev\">← Previous</a>" as HTML : .empty)
        <span>Page \(page) of \(pages)</span>\(page < pages ? "<a href=\"\(link(page + 1))\" rel=\"next\">Next →</a>" as HTML : .empty)</nav>
        """
    }

    static func worklist(_ items: [WorkItem], total: Int? = nil, page: Int = 1, query: String, status: String, viewer: Viewer) -> HTML {
        let total = total ?? items.count
        let pages = max(1, (total + worklistPageSize - 1) / worklistPageSize)
        let rows = HTML.join(items.map { i -> HTML in
            let r = i.record
            return """
            <tr>
              <td><a href="/app/cases/\(r.debtorID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? r.debtorID)">\(r.debtorName)</a><div class="muted small">\(r.debtorID)</div></td>
              <td class="num">\(r.balance?.description ?? "—")</td>
              <td class="num">\(i.daysPastDue)</td>
              <td><span class="status \(r.status.rawValue)">\(r.status.rawValue)</span></td>
              <td>\(r.nextActionAt.map { Timestamp.format($0) } ?? "—") \(r.nextActionChannel?.rawValue ?? "")</td>
              <td class="small">\(i.reasons.joined(separator: " · "))</td>
            </tr>
            """
        })
        let options = HTML.join((["all"] + CaseStatus.allCases.map(\.rawValue)).map { s -> HTML in
            s == status ? "<option selected>\(s)</option>" : "<option>\(s)</option>"
        })
        return layout(title: "Worklist", viewer: viewer, current: "/app/cases", """
        <h1>Worklist</h1>
        <form class="filters" method="get" action="/app/cases" role="search">
          <label for="q">Debtor, invoice, load, PRO or BOL number</label>
          <input id="q" name="q" type="search" value="\(query)">
          <label for="status">Status</label>
          <select id="status" name="status">\(options)</select>
          <button type="submit">Filter</button>
        </form>
        <p class="muted">\(total) case\(total == 1 ? "" : "s"), most urgent first (amount × age × risk)\(pages > 1 ? "; \(worklistPageSize) a page" : "").</p>
        <table class="list">
          <thead><tr><th scope="col">Debtor</th><th scope="col">Open</th><th scope="col">Days late</th><th scope="col">Status</th><th scope="col">Next</th><th scope="col">Why here</th></tr></thead>
          <tbody>\(rows)</tbody>
        </table>
        \(pager("/app/cases", page: page, pages: pages, keep: [("q", query), ("status", status == "all" ? "" : status)], label: "Worklist pages"))
        """)
    }

    // MARK: Case

    typealias CaseData = UseCases.CaseFile

    /// One timeline entry.
    struct Entry {
        let at: Date
        let kind: String
        let html: HTML
    }

    static func timeline(_ d: CaseData, viewer: Viewer? = nil, back: String = "/app/inbox") -> [Entry] {
        var out: [Entry] = []
        for m in d.messages {
            let waiting = m.status == .draft || m.status == .suggested
            let approve: HTML = waiting && viewer?.role.allows(.manage) == true ? """
            <div class="row">
              <form method="post" action="/app/messages/\(m.id)/approve"><input type="hidden" name="_csrf" value="\(viewer!.csrf)"><input type="hidden" name="back" value="\(back)"><button type="submit">Approve and send</button></form>
              <form method="post" action="/app/messages/\(m.id)/discard"><input type="hidden" name="_csrf" value="\(viewer!.csrf)"><input type="hidden" name="back" value="\(back)"><button type="submit" class="secondary">Discard</button></form>
            </div>
            """ : .empty
            let dir = m.direction == .inbound ? "from \(m.contactName ?? m.from ?? "?")" : "to \(m.contactName ?? m.to ?? "?")"
            out.append(Entry(at: m.at, kind: m.direction == .inbound ? "in" : "out", html: """
            <strong>\(m.channel.rawValue) \(dir)</strong> <span class="muted">\(m.kind) · \(m.status.rawValue)</span>
            \(m.subject.map { s -> HTML in "<div class=\"subject\">\(s)</div>" })
            <blockquote>\(m.body)</blockquote>
            \(m.recordingURL.map { u -> HTML in "<a href=\"\(u)\">Recording</a>" })
            \(m.composition.map { c -> HTML in "<div class=\"muted small\">\(c.summary)</div>" })
            \(approve)
            """))
        }
        for dec in d.decisions {
            out.append(Entry(at: dec.at, kind: "decision", html: "<strong>Decision: \(dec.action)</strong><ul>\(dec.reasons.map { r -> HTML in "<li>\(r.message)</li>" })</ul>"))
        }
        for p in d.promises {
            out.append(Entry(at: p.madeAt, kind: "promise", html: "<strong>\(p.kind == .promise ? "Promise" : "Payment claim")</strong> \(p.target.description) by \(p.date.description) — \(p.status.rawValue)"))
        }
        for x in d.disputes {
            out.append(Entry(at: x.openedAt, kind: "dispute", html: "<strong>Dispute</strong> on \(x.invoiceNumber): \(x.reason.label) — \(x.status.rawValue)\(x.resolution.map { " (\($0))" } ?? "")"))
        }
        for h in d.holds {
            out.append(Entry(at: h.until, kind: "hold", html: "<strong>Hold</strong>\(h.invoiceNumber.map { " on \($0)" } ?? "") until \(Timestamp.format(h.until)): \(h.reason)"))
        }
        for p in d.payments {
            out.append(Entry(at: p.date.at(hour: 12, in: TimeZone(identifier: "UTC")!), kind: "payment",
                             html: "<strong>Payment</strong> \(p.amount.description)\(p.reference.map { " · \($0)" } ?? "")"))
        }
        return out.sorted { ($0.at, $0.kind) > ($1.at, $1.kind) }
    }

    static func localTime(_ now: Date, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "EEE HH:mm"
        return f.string(from: now)
    }

    static func casePage(_ d: CaseData, viewer: Viewer, flash: Flash? = nil) -> HTML {
        let r = d.record
        let contacts = HTML.join(d.contacts.map { c -> HTML in
            let out = d.suppressions.filter { $0.contactID == c.id }.map { $0.channel?.rawValue ?? "all" }
            return """
            <tr><th scope="row">\(c.name)\(c.role.map { r -> HTML in " <span class=\"muted\">(\(r))</span>" })</th>
            <td>\(c.email ?? "—")</td><td>\(c.phone ?? "—")</td>
            <td>\(c.smsConsent ? "SMS ✓" : "SMS ✗") \(c.callConsent ? "calls ✓" : "calls ✗")</td>
            <td>\(out.isEmpty ? "—" : "opted out: " + out.joined(separator: ", "))</td>
            <td>\(c.timeZone) · \(localTime(d.now, c.zone))</td></tr>
            """
        })
        let invoices = HTML.join(d.invoices.map { i -> HTML in
            let docs = d.documents.filter { $0.ref.invoiceNumber == i.number }.map { doc -> HTML in
                "<a href=\"/api/v1/documents/\(doc.ref.id)\">\(doc.ref.kind.label)</a>"
            }
            return "<tr><th scope=\"row\">\(i.number)</th><td class=\"num\">\(i.amount.description)</td><td>\(i.dueDate.description)</td><td>\(i.loadNumber ?? "")</td><td>\(HTML.join(docs, separator: ", "))</td></tr>"
        })
        let base = "/app/cases/\(r.debtorID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? r.debtorID)"
        let entries = HTML.join(timeline(d, viewer: viewer, back: base).map { e -> HTML in
            "<li class=\"ev \(e.kind)\"><time datetime=\"\(Timestamp.format(e.at))\">\(Timestamp.format(e.at))</time><div>\(e.html)</div></li>"
        })
        let next: HTML = r.nextActionAt.map { at -> HTML in
            "<p><strong>Next:</strong> \(r.nextActionChannel?.rawValue ?? "action") at \(Timestamp.format(at))</p>"
        } ?? "<p><strong>Next:</strong> nothing scheduled</p>"
        let why = HTML.join(r.reasons.map { x -> HTML in "<li>\(x.message)</li>" })
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let open = d.openInvoices
        let invoiceOptions = HTML.join(open.map { n -> HTML in "<option>\(n)</option>" })
        let allInvoiceOptions = HTML.join(d.invoices.map { i -> HTML in "<option>\(i.number)</option>" })
        let reasonOptions = HTML.join(DisputeReason.allCases.map { x -> HTML in "<option value=\"\(x.rawValue)\">\(x.label)</option>" })
        let openDisputes = d.disputes.filter { $0.status == .open }
        let resolveForms = HTML.join(openDisputes.map { x -> HTML in
            """
            <form method="post" action="\(base)/disputes/\(x.id)/resolve">\(csrf)
              <label for="res-\(x.id)">Resolve the dispute on \(x.invoiceNumber) (\(x.reason.label)) — how was it settled?</label>
              <input id="res-\(x.id)" name="resolution" required placeholder="credit note issued, POD sent…">
              <button type="submit">Resolve</button>
            </form>
            """
        })
        let today = LocalDate(d.now, in: d.zone).description
        let actions: HTML = viewer.role.allows(.work) ? """
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
        return layout(title: r.debtorName, viewer: viewer, current: "/app/cases", """
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

    // MARK: Inbox

    /// Inbox items per page.
    static let inboxPageSize = 50

    static func inbox(_ items: [(item: InboxItem, debtorName: String?, message: MessageRecord?, draft: MessageRecord?)], total: Int? = nil, page: Int = 1,
                      viewer: Viewer, flash: Flash? = nil) -> HTML {
        let total = total ?? items.count
        let pages = max(1, (total + inboxPageSize - 1) / inboxPageSize)
        let pager = pager("/app/inbox", page: page, pages: pages, keep: [], label: "Inbox pages")
        let rows = HTML.join(items.map { x -> HTML in
            let link: HTML = x.item.debtorID.map { d -> HTML in "<a href=\"/app/cases/\(d.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? d)\">\(x.debtorName ?? d)</a>" } ?? "unmatched"
            return """
            <li class="card">
              <div><strong>\(link)</strong> <span class="muted">\(x.item.kind.rawValue) · \(Timestamp.format(x.item.createdAt))</span></div>
              <p>\(x.item.reason)</p>
              \(x.message.map { m -> HTML in "<blockquote>\(m.body)</blockquote>" })
              \(x.draft.map { d -> HTML in "<div class=\"draft\"><span class=\"muted\">Suggested reply:</span><blockquote>\(d.body)</blockquote></div>" })
              <div class="row">
                \(x.draft.flatMap { d -> HTML? in viewer.role.allows(.manage) && (d.status == .draft || d.status == .suggested) ? """
                  <form method="post" action="/app/messages/\(d.id)/approve"><input type="hidden" name="_csrf" value="\(viewer.csrf)"><button type="submit">Approve and send</button></form>
                  <form method="post" action="/app/messages/\(d.id)/discard"><input type="hidden" name="_csrf" value="\(viewer.csrf)"><button type="submit" class="secondary">Discard</button></form>
                  """ : nil })
                \(viewer.role.allows(.work) ? """
                  <form method="post" action="/app/inbox/\(x.item.id)/resolve"><input type="hidden" name="_csrf" value="\(viewer.csrf)">
                    <label for="note-\(x.item.id)" class="sr-only">Note</label><input id="note-\(x.item.id)" name="note" placeholder="Note (optional)">
                    <button type="submit" class="secondary">Mark dealt with</button></form>
                  """ as HTML : .empty)
              </div>
            </li>
            """
        })
        return layout(title: "Inbox", viewer: viewer, current: "/app/inbox", """
        <h1>Inbox</h1>
        \(flash?.html ?? .empty)
        <p class="muted">\(total) \(total == 1 ? "conversation needs" : "conversations need") a person\(pages > 1 ? ", oldest first, \(inboxPageSize) a page" : "").</p>
        <ul class="inbox">\(rows)</ul>
        \(pager)
        """)
    }
}

extension Pages {
    // MARK: Account

    static func account(viewer: Viewer, user: User, enrolment: (secret: String, url: String)?, notice: String?, errors: [String]) -> HTML {
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let problems: HTML = errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><ul>\(errors.map { e -> HTML in "<li>\(e)</li>" })</ul></div>"
        let base32 = enrolment.flatMap { URLComponents(string: $0.url)?.queryItems?.first { $0.name == "secret" }?.value }
        let second: HTML
        if user.totpSecret != nil {
            second = "<p>A second factor is on: signing in asks for the code from your authenticator app.</p>"
        } else if let enrolment {
            second = """
            <p>Add this key to your authenticator app (or open the link on your phone), then type the code it shows.</p>
            <p><code class="key">\(base32 ?? enrolment.secret)</code></p>
            <p><a href="\(enrolment.url)">\(enrolment.url)</a></p>
            <form method="post" action="/app/account/totp/confirm">\(csrf)
              <label for="code">Code from the app</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
              <button type="submit">Turn on</button>
            </form>
            """
        } else {
            second = """
            <p>Off. With it on, a stolen password alone cannot sign in.</p>
            <form method="post" action="/app/account/totp">\(csrf)<button type="submit">Set up an authenticator app</button></form>
            """
        }
        return layout(title: "Account", viewer: viewer, current: "/app/account", """
        <h1>Your account</h1>
        \(notice.map { n -> HTML in "<p class=\"notice\" role=\"status\">\(n)</p>" })
        \(problems)
        <div class="cols">
        <section class="card"><h2>Password</h2>
          <form method="post" action="/app/account/password">\(csrf)
            <label for="current">Current password</label><input id="current" name="current" type="password" autocomplete="current-password" required>
            <label for="new">New password <span class="hint">(12 or more characters; a few unrelated words work well)</span></label>
            <input id="new" name="new" type="password" autocomplete="new-password" minlength="12" required>
            <label for="again">New password again</label><input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required>
            <button type="submit">Change password</button>
          </form>
        </section>
        <section class="card"><h2>Second factor</h2>\(second)</section>
        </div>
        <p class="muted">\(user.email) · \(user.role.rawValue) · tenant \(user.tenant)</p>
        """)
    }

    // MARK: Audit

    static func audit(_ entries: [AuditEntry], broken: AuditEntry?, viewer: Viewer) -> HTML {
        let rows = HTML.join(entries.map { e -> HTML in
            "<tr><td><time datetime=\"\(Timestamp.format(e.at))\">\(Timestamp.format(e.at))</time></td><td>\(e.actor)</td><td>\(e.action)</td><td>\(e.object ?? "")</td><td>\(e.outcome)</td><td>\(e.ip ?? "")</td><td class=\"small\">\(e.detail ?? "")</td></tr>"
        })
        let chain: HTML = broken.map { b -> HTML in "<p class=\"error\" role=\"alert\">Entry \(b.id) (\(Timestamp.format(b.at))) does not match its hash: the log was altered. Run <code>overdue audit verify</code>.</p>" }
            ?? "<p class=\"notice\">Every entry shown matches its hash. <code>overdue audit verify</code> walks the whole chain (that no entry was removed or reordered).</p>"
        return layout(title: "Audit log", viewer: viewer, current: "/app/audit", """
        <h1>Audit log</h1>
        \(chain)
        <p class="muted">The latest \(entries.count) entries, newest first. The full log: <code>overdue audit list</code>.</p>
        <table class="list"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Object</th><th scope="col">Outcome</th><th scope="col">From</th><th scope="col">Detail</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """)
    }

    // MARK: Import

    static func importPage(viewer: Viewer) -> HTML {
        layout(title: "Import", viewer: viewer, current: "/app/import", """
        <h1>Import</h1>
        <section class="card">
          <p>A CSV file with a header row, as <code>overdue import</code> reads it. A bad row rejects the file — nothing is written —
          and every problem is listed with its line and column; tick the box to write the good rows anyway.</p>
          <form id="import" data-csrf="\(viewer.csrf)">
            <label for="kind">The file holds</label>
            <select id="kind" name="kind"><option>invoices</option><option>contacts</option><option>payments</option></select>
            <label for="file">CSV file</label><input id="file" name="file" type="file" accept=".csv,text/csv" required>
            <label class="inline"><input type="checkbox" id="skip" name="skip"> Write the good rows and list the bad ones</label>
            <button type="submit"\(viewer.role.allows(.work) ? "" : " disabled")>Upload</button>
          </form>
          <progress id="progress" max="100" value="0" hidden></progress>
          <div id="result" role="status" aria-live="polite"></div>
        </section>
        <script src="/app/app.js" defer></script>
        """)
    }
}

extension Pages {
    // MARK: Templates

    static func templates(_ rows: [(name: String, channel: Channel, tenant: Bool)], viewer: Viewer) -> HTML {
        let list = HTML.join(rows.map { r -> HTML in
            "<tr><th scope=\"row\"><a href=\"/app/templates/\(r.channel.rawValue)/\(r.name)\">\(r.name)</a></th><td>\(r.channel.rawValue)</td><td>\(r.tenant ? "yours" : "built-in")</td></tr>"
        })
        return layout(title: "Templates", viewer: viewer, current: "/app/templates", """
        <h1>Templates</h1>
        <p class="muted">Every message Overdue writes comes from one of these (Mustache). Change one for your company; the built-in stays as the fallback.</p>
        <table class="list"><thead><tr><th scope="col">Template</th><th scope="col">Channel</th><th scope="col">Source</th></tr></thead><tbody>\(list)</tbody></table>
        """)
    }

    static func templateEditor(name: String, channel: Channel, subject: String?, body: String, tenant: Bool, viewer: Viewer) -> HTML {
        let canEdit = viewer.role.allows(.manage)
        return layout(title: "\(name) (\(channel.rawValue))", viewer: viewer, current: "/app/templates", """
        <h1>\(name) <span class="muted">\(channel.rawValue)</span></h1>
        <div class="cols">
        <section class="card">
          <form id="template" data-csrf="\(viewer.csrf)" data-name="\(name)" data-channel="\(channel.rawValue)">
            \(channel == .email ? "<label for=\"subject\">Subject</label><input id=\"subject\" name=\"subject\" value=\"\(subject ?? "")\">" as HTML : .empty)
            <label for="body">Body</label>
            <textarea id="body" name="body" rows="14" spellcheck="true">\(body)</textarea>
            <label for="debtor">Preview for debtor <span class="hint">(id; empty: a sample invoice)</span></label>
            <input id="debtor" name="debtor">
            \(canEdit ? "<button type=\"submit\">Save for my company</button>" as HTML : "<p class=\"muted\">Managers and admins can change templates.</p>" as HTML)
            \(canEdit && tenant ? "<button type=\"button\" id=\"reset\" class=\"secondary\">Back to the built-in</button>" as HTML : .empty)
          </form>
          <p id="saved" role="status" aria-live="polite"></p>
        </section>
        <section class="card" aria-live="polite"><h2>Preview</h2>
          <div id="preview-subject" class="subject"></div>
          <blockquote id="preview-body"></blockquote>
          <p id="preview-meta" class="muted small"></p>
        </section>
        </div>
        <script src="/app/app.js" defer></script>
        """)
    }
}

extension HTML {
    /// This markup inside an element.
    func wrapped(_ tag: String, class name: String) -> HTML { HTML(raw: "<\(tag) class=\"\(name)\">\(rendered)</\(tag)>") }
}

extension Pages {
    // MARK: Cadence

    /// The cadence editor's form, as typed (so a rejected form comes back as it was).
    struct CadenceForm: Sendable {
        var name: String
        var startAfterDueDays: String
        var onExhausted: String
        var stages: [(channel: String, attempts: String, delayDays: String)]

        init(_ p: Policy) {
            name = p.name
            startAfterDueDays = String(p.startAfterDueDays)
            onExhausted = p.onExhausted.rawValue
            stages = p.stages.map { ($0.channel.rawValue, String($0.attempts), String($0.delayDays)) }
        }

        /// Reads the posted fields: `stage.N.channel` etc.; a row whose channel is empty is left out.
        init(fields f: [String: String]) {
            name = f["name"] ?? ""
            startAfterDueDays = f["start_after_due_days"] ?? ""
            onExhausted = f["on_exhausted"] ?? "handoff"
            stages = (0..<Policy.maxStages + 2).compactMap { i in
                guard let ch = f["stage.\(i).channel"], !ch.isEmpty else { return nil }
                return (ch, f["stage.\(i).attempts"] ?? "", f["stage.\(i).delay_days"] ?? "")
            }
        }

        /// The form as the policy JSON document the API takes, so both are validated alike.
        var json: Data {
            func number(_ s: String) -> Any { Int(s.trimmingCharacters(in: .whitespaces)).map { $0 as Any } ?? s }
            let doc: [String: Any] = ["name": name, "start_after_due_days": number(startAfterDueDays), "on_exhausted": onExhausted,
                                      "stages": stages.map { ["channel": $0.channel, "attempts": number($0.attempts), "delay_days": number($0.delayDays)] }]
            return (try? JSONSerialization.data(withJSONObject: doc)) ?? Data()
        }
    }

    static func localStamp(_ at: Date, _ zone: TimeZone) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "EEE d MMM HH:mm"
        return f.string(from: at)
    }

    /// The preview as a strip: one row per channel, a dot per attempt at its day.
    static func cadenceChart(_ steps: [CadencePreview.Step]) -> HTML {
        let sends = steps.filter { $0.action == .send }
        let lastDay = max(7, (steps.map(\.day).max() ?? 0) + 1)
        let rows: [Channel] = Channel.allCases
        let x = { (day: Int) -> Int in 90 + Int(Double(day) / Double(lastDay) * 600) }
        let ticks = stride(from: 0, through: lastDay, by: max(1, lastDay / 8)).map { d -> HTML in
            "<line x1=\"\(x(d))\" y1=\"8\" x2=\"\(x(d))\" y2=\"\(rows.count * 30 + 8)\" class=\"grid\"></line><text x=\"\(x(d))\" y=\"\(rows.count * 30 + 24)\" class=\"tick\">day \(d)</text>"
        }
        let lanes = rows.enumerated().map { i, ch -> HTML in
            "<text x=\"0\" y=\"\(i * 30 + 27)\" class=\"label\">\(ch.rawValue)</text>"
        }
        let dots = sends.map { s -> HTML in
            let row = rows.firstIndex(of: s.channel ?? .email) ?? 0
            return "<circle cx=\"\(x(s.day))\" cy=\"\(row * 30 + 22)\" r=\"7\" class=\"dot \(s.channel?.rawValue ?? "")\"><title>day \(s.day): \(s.channel?.rawValue ?? "") stage \(s.stage ?? 0) attempt \(s.attempt ?? 0)</title></circle>"
        }
        let end = steps.last.flatMap { s -> HTML? in
            s.action == .send ? nil : "<text x=\"\(min(x(s.day) + 4, 640))\" y=\"\(rows.count * 30 + 6)\" class=\"value\">\(s.action == .handoff ? "→ a person" : s.action.rawValue)</text>"
        }
        return """
        <svg class="cadence" viewBox="0 0 720 \(rows.count * 30 + 32)" role="img" aria-label="Attempts by day and channel"><title>Attempts by day and channel</title>\(ticks)\(lanes)\(dots)\(end)</svg>
        """
    }

    static func cadence(_ form: CadenceForm, errors: [String], steps: [CadencePreview.Step], zone: TimeZone, previewing: Bool,
                        viewer: Viewer, flash: Flash?) -> HTML {
        let canEdit = viewer.role.allows(.manage)
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = form.stages + Array(repeating: (channel: "", attempts: "3", delayDays: "3"), count: 2)
        let stageRows = HTML.join(rows.enumerated().map { i, st -> HTML in
            let options = HTML.join(([""] + Channel.allCases.map(\.rawValue)).map { c -> HTML in
                "<option value=\"\(c)\"\(c == st.channel ? " selected" : "")>\(c.isEmpty ? "— none —" : c)</option>"
            })
            return """
            <tr><th scope="row">\(i + 1)</th>
              <td><label class="sr-only" for="s\(i)c">Stage \(i + 1) channel</label><select id="s\(i)c" name="stage.\(i).channel">\(options)</select></td>
              <td><label class="sr-only" for="s\(i)a">Stage \(i + 1) attempts</label><input id="s\(i)a" name="stage.\(i).attempts" inputmode="numeric" size="3" value="\(st.attempts)"></td>
              <td><label class="sr-only" for="s\(i)d">Stage \(i + 1) days between attempts</label><input id="s\(i)d" name="stage.\(i).delay_days" inputmode="numeric" size="3" value="\(st.delayDays)"></td>
            </tr>
            """
        })
        let problems: HTML = errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><p>Not saved:</p><ul>\(errors.map { e -> HTML in "<li>\(e)</li>" })</ul></div>"
        let list = HTML.join(steps.map { s -> HTML in
            let what: String
            switch s.action {
            case .send: what = "\(s.channel?.rawValue ?? "") · stage \(s.stage ?? 0), attempt \(s.attempt ?? 0)"
            case .handoff: what = "handed to a person"
            default: what = s.action.rawValue
            }
            return "<tr><td class=\"num\">\(s.day)</td><td>\(localStamp(s.at, zone))</td><td>\(what)</td><td class=\"small\">\(s.reasons.first?.message ?? "")</td></tr>"
        })
        return layout(title: "Cadence", viewer: viewer, current: "/app/cadence", """
        <h1>Cadence</h1>
        \(flash?.html ?? .empty)
        \(problems)
        <p class="muted">The ladder every case climbs once its oldest invoice is overdue: stages of one channel, each with its attempts and the days between them.
        Contact windows, caps, consent and opt-outs still apply to every attempt.</p>
        <div class="cols">
        <section class="card">
          <form method="post" action="/app/cadence">\(csrf)
            <label for="name">Name</label><input id="name" name="name" value="\(form.name)" required>
            <label for="start">Start this many days after the due date</label><input id="start" name="start_after_due_days" inputmode="numeric" value="\(form.startAfterDueDays)">
            <table class="stages"><caption>Stages, in order</caption>
              <thead><tr><th scope="col">#</th><th scope="col">Channel</th><th scope="col">Attempts</th><th scope="col">Days between</th></tr></thead>
              <tbody>\(stageRows)</tbody></table>
            <label for="exhausted">When every attempt is made</label>
            <select id="exhausted" name="on_exhausted">
              <option value="handoff"\(form.onExhausted == "handoff" ? " selected" : "")>hand the case to a person</option>
              <option value="restart"\(form.onExhausted == "restart" ? " selected" : "")>start the ladder again</option>
            </select>
            <div class="row">
              <button type="submit" name="intent" value="preview" class="secondary">Preview</button>
              \(canEdit ? "<button type=\"submit\" name=\"intent\" value=\"save\">Save and re-plan every case</button>" as HTML : "<p class=\"muted\">Managers and admins can change the cadence.</p>" as HTML)
            </div>
          </form>
        </section>
        <section class="card" aria-live="polite"><h2>\(previewing ? "Preview (not saved)" : "Preview") on a sample case</h2>
          <p class="muted small">One invoice due on day 0, one contact reachable on every channel, nobody answers.</p>
          \(cadenceChart(steps))
          <table class="list"><thead><tr><th scope="col">Day</th><th scope="col">When (\(zone.identifier))</th><th scope="col">What</th><th scope="col">Why</th></tr></thead>
          <tbody>\(list)</tbody></table>
        </section>
        </div>
        """)
    }
}

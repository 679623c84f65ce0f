// swift-format-ignore-file
// (swift-format 6.3 re-indents the multi-line literals nested in this page's interpolations so that they no longer compile.)
import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The inbox: what needs a person, with drafts to approve.
extension Pages {
    /// Inbox items per page.
    static let inboxPageSize = 50

    static func inbox(_ items: [(item: InboxItem, debtorName: String?, message: MessageRecord?, draft: MessageRecord?)], total: Int? = nil, page: Int = 1,
                      proposals: [(proposal: ContactProposal, debtorName: String?)] = [], viewer: Viewer, flash: Flash? = nil) -> HTML {
        let total = total ?? items.count
        let pages = max(1, (total + inboxPageSize - 1) / inboxPageSize)
        let pager = pager("/app/inbox", page: page, pages: pages, keep: [], label: "Inbox pages")
        let rows = HTML.join(items.map { x -> HTML in
            let link: HTML = x.item.debtorID.map { d -> HTML in "<a href=\"/app/cases/\(d.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? d)\">\(x.debtorName ?? d)</a>" } ?? "unmatched"
            return """
            <li class="card">
              <div><strong>\(link)</strong> <span class="muted">\(x.item.kind.rawValue) · \(when(x.item.createdAt, viewer.zone))</span></div>
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
        // Contacts a reply named: nobody is written to on a reply's word until a manager says so.
        let proposed = HTML.join(proposals.map { x -> HTML in
            let p = x.proposal
            let d = p.debtorID
            let address = [p.contact.email, p.contact.phone].compactMap { $0 }.joined(separator: " · ")
            return """
            <li class="card">
              <div><strong><a href="/app/cases/\(d.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? d)">\(x.debtorName ?? d)</a></strong> <span class="muted">proposed contact · \(when(p.createdAt, viewer.zone))</span></div>
              <p><strong>\(p.contact.name)</strong> \(address)</p>
              <p class="muted">\(p.reason.message)</p>
              \(viewer.role.allows(.manage) ? """
                <div class="row">
                  <form method="post" action="/app/contact-proposals/\(p.id)/approve"><input type="hidden" name="_csrf" value="\(viewer.csrf)"><button type="submit">Add as contact</button></form>
                  <form method="post" action="/app/contact-proposals/\(p.id)/reject"><input type="hidden" name="_csrf" value="\(viewer.csrf)"><button type="submit" class="secondary">Reject</button></form>
                </div>
                """ as HTML : "<p class=\"muted\">A manager adds or rejects it.</p>")
            </li>
            """
        })
        return layout(title: "Inbox", viewer: viewer, current: "/app/inbox", """
        <h1>Inbox</h1>
        \(flash?.html ?? .empty)
        \(proposals.isEmpty ? HTML.empty : """
          <h2>Contacts to approve</h2>
          <p class="muted">Replies named these people. Nothing is sent to them until a manager adds them.</p>
          <ul class="inbox">\(proposed)</ul>
          <h2>Conversations</h2>
          """ as HTML)
        <p class="muted">\(total) \(total == 1 ? "conversation needs" : "conversations need") a person\(pages > 1 ? ", oldest first, \(inboxPageSize) a page" : "").</p>
        <ul class="inbox">\(rows)</ul>
        \(pager)
        """)
    }
}

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
        /// The zone times are shown in before the page's script puts them in the browser's own:
        /// the tenant's (Settings → `timezone`).
        var zone = TimeZone(identifier: "UTC")!
    }

    /// An instant for people, in `zone` ("Mon 7 Dec 2026 07:00 CST"), machine-readable in
    /// `datetime`; the dashboard's `time.js` shows it in the viewer's browser zone.
    static func when(_ at: Date, _ zone: TimeZone) -> HTML {
        "<time datetime=\"\(Timestamp.format(at))\" data-local>\(stamp(at, zone, "EEE d MMM yyyy HH:mm zzz"))</time>"
    }

    /// `when`, and beside it the time at the contact's end when their zone is another
    /// ("09:00 for Dana Ruiz"): contact rules are kept in the contact's zone.
    static func when(_ at: Date, _ zone: TimeZone, contact: Contact?) -> HTML {
        guard let contact, contact.zone.secondsFromGMT(for: at) != zone.secondsFromGMT(for: at) else { return when(at, zone) }
        return "\(when(at, zone)) <span class=\"muted small\">(\(stamp(at, contact.zone, "HH:mm zzz")) for \(contact.name))</span>"
    }

    /// `at` in `zone` by `format` (POSIX locale).
    static func stamp(_ at: Date, _ zone: TimeZone, _ format: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = format
        return f.string(from: at)
    }

    /// A phone number as people write it (`+1 312 555 0101`), whatever form it was stored in.
    static func phone(_ number: String?) -> String { number.map(PhoneNumber.display) ?? "—" }

    /// A one-time message from the last form post.
    enum Flash: Sendable, Equatable {
        case notice(String)
        case error(String)
        var isError: Bool { if case .error = self { true } else { false } }
        var text: String {
            switch self {
            case .notice(let t), .error(let t): t
            }
        }
        var html: HTML {
            isError ? "<p class=\"error\" role=\"alert\">\(text)</p>" : "<p class=\"notice\" role=\"status\">\(text)</p>"
        }
    }

    static let nav: [(path: String, label: String)] = [
        ("/app", "Overview"), ("/app/cases", "Worklist"), ("/app/inbox", "Inbox"), ("/app/cadence", "Cadence"), ("/app/templates", "Templates"),
        ("/app/import", "Import"), ("/app/settings", "Settings"), ("/app/account", "Account"),
    ]

    /// The page shell: header with navigation and sign-out, main content.
    static func layout(title: String, viewer: Viewer?, current: String = "", _ content: HTML) -> HTML {
        let items = nav + (viewer?.role.allows(.administer) == true ? [("/app/audit", "Audit log")] : [])
        let links = items.map { item -> HTML in
            item.path == current ? "<a href=\"\(item.path)\" aria-current=\"page\">\(item.label)</a>" : "<a href=\"\(item.path)\">\(item.label)</a>"
        }
        let header: HTML =
            viewer.map { v in
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
            <script src="/app/time.js" defer></script>
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
}

extension HTML {
    /// This markup inside an element.
    func wrapped(_ tag: String, class name: String) -> HTML { HTML(raw: "<\(tag) class=\"\(name)\">\(rendered)</\(tag)>") }
}

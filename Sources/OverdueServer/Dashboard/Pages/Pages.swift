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

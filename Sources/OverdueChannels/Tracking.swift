import Foundation

/// Optional open and click tracking for email: a 1×1 pixel and links that pass through this
/// server. Off by default; a tenant turns it on with `email.tracking`.
public enum Tracking {
    /// What is tracked.
    public enum Mode: String, Sendable, CaseIterable {
        case off, opens, clicks, all
        var opens: Bool { self == .opens || self == .all }
        var clicks: Bool { self == .clicks || self == .all }
    }

    /// `html` with its http(s) links sent through `base/c/TOKEN?u=…` (clicks) and a pixel
    /// `base/o/TOKEN.gif` before `</body>` (opens).
    public static func instrument(_ html: String, base: String, token: String, mode: Mode) -> String {
        var out = html
        if mode.clicks {
            var result = ""
            var rest = Substring(out)
            while let r = rest.range(of: "href=\"") {
                result += rest[..<r.upperBound]
                let after = rest[r.upperBound...]
                guard let close = after.firstIndex(of: "\"") else { rest = after; break }
                let href = String(after[..<close])
                let target = unescape(href)
                if (target.hasPrefix("https://") || target.hasPrefix("http://")) && !target.hasPrefix(base + "/") {
                    result += "\(base)/c/\(token)?u=\(target.addingPercentEncoding(withAllowedCharacters: queryValue) ?? "")"
                } else {
                    result += href
                }
                rest = after[close...]
            }
            out = result + rest
        }
        if mode.opens {
            let pixel = "<img src=\"\(base)/o/\(token).gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">"
            if let r = out.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
                out.insert(contentsOf: pixel, at: r.lowerBound)
            } else {
                out += pixel
            }
        }
        return out
    }

    /// Whether `target` is exactly one of the links the message itself holds: the redirect follows
    /// nothing else — not a part of a link, not a longer one — so it can never be turned into an open
    /// redirect.
    public static func isLink(_ target: String, of text: String, html: String?) -> Bool {
        guard target.hasPrefix("https://") || target.hasPrefix("http://") else { return false }
        return links(text: text, html: html).contains(target)
    }

    /// The http(s) links a message holds: the words of its text that are links, and the targets of
    /// its HTML's `href`s (entities undone).
    public static func links(text: String, html: String?) -> Set<String> {
        func isWeb(_ s: some StringProtocol) -> Bool { s.hasPrefix("https://") || s.hasPrefix("http://") }
        var found = Set(text.split(whereSeparator: \.isWhitespace).filter(isWeb).map(String.init))
        var rest = Substring(html ?? "")
        while let r = rest.range(of: "href=\"") {
            let after = rest[r.upperBound...]
            guard let close = after.firstIndex(of: "\"") else { break }
            // The stored HTML is the one written, before the channel sends links through the tracker.
            let target = unescape(String(after[..<close]))
            if isWeb(target) { found.insert(target) }
            rest = after[close...]
        }
        return found
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    }

    static let queryValue: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._~")
        return s
    }()
}

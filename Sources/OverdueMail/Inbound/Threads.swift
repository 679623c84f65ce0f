import Foundation

/// Groups messages into conversations, in the spirit of JWZ's threading algorithm: messages linked
/// by `Message-ID`, `In-Reply-To` and `References` (even through messages that are missing) share a
/// thread; a reply with no usable headers joins the thread of the same base subject.
public enum Threads {
    /// One message's threading facts.
    public struct Item: Sendable {
        /// Its `Message-ID` (nil when absent).
        public var messageID: String?
        /// `In-Reply-To` ids.
        public var inReplyTo: [String]
        /// `References` ids.
        public var references: [String]
        /// Subject.
        public var subject: String?

        /// Creates an item.
        public init(messageID: String?, inReplyTo: [String], references: [String], subject: String?) {
            self.messageID = messageID
            self.inReplyTo = inReplyTo
            self.references = references
            self.subject = subject
        }

        /// The facts of a parsed message.
        public init(_ m: MailMessage) {
            self.init(messageID: m.messageID, inReplyTo: m.inReplyTo, references: m.references, subject: m.subject)
        }
    }

    /// The thread id of each item, in order: the Message-ID of the thread's first message in the
    /// input (or `thread-N` when it has none).
    public static func assign(_ items: [Item]) -> [String] {
        var parent: [String: String] = [:]
        func find(_ x: String) -> String {
            var r = x
            while let p = parent[r], p != r { r = p }
            var c = x
            while let p = parent[c], p != r { parent[c] = r; c = p }
            return r
        }
        func union(_ a: String, _ b: String) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[rb] = ra }
        }
        // Each message gets a node; a message without an id gets its own.
        let nodes = items.enumerated().map { i, item in item.messageID.map { "<\($0)>" } ?? "#\(i)" }
        for n in nodes where parent[n] == nil { parent[n] = n }
        var hasLinks = [Bool](repeating: false, count: items.count)
        for (i, item) in items.enumerated() {
            let links = item.references + item.inReplyTo
            for id in links {
                let node = "<\(id)>"
                if parent[node] == nil { parent[node] = node }
                union(nodes[i], node)
            }
            hasLinks[i] = !links.isEmpty
        }
        // Subject fallback: a reply ("Re: …") without headers joins the first thread with its base subject.
        var bySubject: [String: String] = [:]
        for (i, item) in items.enumerated() {
            let (base, isReply) = baseSubject(item.subject)
            guard !base.isEmpty else { continue }
            if !hasLinks[i] && isReply, let other = bySubject[base] {
                union(other, nodes[i])
            } else if bySubject[base] == nil {
                bySubject[base] = nodes[i]
            }
        }
        // Name each thread after its first message in the input.
        var names: [String: String] = [:]
        for (i, n) in nodes.enumerated() {
            let root = find(n)
            if names[root] == nil { names[root] = items[i].messageID ?? "thread-\(i)" }
        }
        return nodes.map { names[find($0)]! }
    }

    /// The subject without reply/forward prefixes and list tags, lower-cased; and whether it had a reply prefix.
    public static func baseSubject(_ subject: String?) -> (String, Bool) {
        var s = (subject ?? "").trimmingCharacters(in: .whitespaces)
        var reply = false
        let prefixes = ["re", "aw", "sv", "vs", "antw", "ref", "rif", "fw", "fwd", "wg", "tr", "rv", "r"]
        var changed = true
        while changed {
            changed = false
            if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
                s = s[s.index(after: close)...].trimmingCharacters(in: .whitespaces)
                changed = true
            }
            if let colon = s.firstIndex(of: ":") {
                var word = s[..<colon].lowercased()
                if let bracket = word.firstIndex(of: "[") { word = String(word[..<bracket]) }
                if let paren = word.firstIndex(of: "(") { word = String(word[..<paren]) }
                if prefixes.contains(word.trimmingCharacters(in: .whitespaces)) {
                    if !["fw", "fwd", "wg", "tr", "rv"].contains(word) { reply = true }
                    s = s[s.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    changed = true
                }
            }
        }
        return (s.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " "), reply)
    }

    /// Splits an mbox into its messages (lines starting `From ` separate them; `>From ` is unquoted).
    public static func splitMbox(_ data: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8] = []
        var lineStart = 0
        var started = false
        while lineStart < data.count {
            var end = lineStart
            while end < data.count && data[end] != 10 { end += 1 }
            let line = data[lineStart..<min(end + 1, data.count)]
            if line.starts(with: Array("From ".utf8)) {
                if started { messages.append(current) }
                current = []
                started = true
            } else {
                if line.starts(with: Array(">From ".utf8))
                    || (line.first == UInt8(ascii: ">") && line.drop { $0 == UInt8(ascii: ">") }.starts(with: Array("From ".utf8)))
                {
                    current += line.dropFirst()
                } else {
                    current += line
                }
                if !started { started = true }
            }
            lineStart = end + 1
        }
        if started && !current.isEmpty { messages.append(current) }
        return messages
    }
}

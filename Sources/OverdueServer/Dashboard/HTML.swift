import OverdueCore

/// A piece of HTML. Text interpolated into it is escaped; only another `HTML` goes in as markup —
/// so a debtor's reply can never become markup by accident.
///
///     let row: HTML = "<td>\(debtor.name)</td>"      // escaped
///     let page: HTML = "<tr>\(row)</tr>"             // nested as markup
public struct HTML: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible, Hashable {
    /// The markup.
    public let rendered: String

    /// Markup written by Overdue itself.
    public init(stringLiteral value: String) { rendered = value }

    /// Markup from interpolation.
    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.out }

    init(raw: String) { rendered = raw }

    public var description: String { rendered }

    /// Nothing.
    public static let empty = HTML(raw: "")

    /// Joins pieces.
    public static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(raw: parts.map(\.rendered).joined(separator: separator.rendered))
    }

    /// The interpolation that escapes text and keeps markup.
    public struct Interpolation: StringInterpolationProtocol {
        var out = ""

        public init(literalCapacity: Int, interpolationCount: Int) { out.reserveCapacity(literalCapacity + interpolationCount * 16) }

        public mutating func appendLiteral(_ literal: String) { out += literal }
        public mutating func appendInterpolation(_ text: String) { out += Markup.escape(text) }
        public mutating func appendInterpolation(_ text: String?) { if let text { out += Markup.escape(text) } }
        public mutating func appendInterpolation(_ value: Int) { out += String(value) }
        public mutating func appendInterpolation(_ value: Int64) { out += String(value) }
        public mutating func appendInterpolation(_ value: Double) { out += String(value) }
        public mutating func appendInterpolation(_ html: HTML) { out += html.rendered }
        public mutating func appendInterpolation(_ html: HTML?) { if let html { out += html.rendered } }
        public mutating func appendInterpolation(_ parts: [HTML]) { for p in parts { out += p.rendered } }
    }
}

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

    /// What it is, in words.
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

        /// Starts an interpolation.
        public init(literalCapacity: Int, interpolationCount: Int) { out.reserveCapacity(literalCapacity + interpolationCount * 16) }

        /// Appends markup written in the source as it is.
        public mutating func appendLiteral(_ literal: String) { out += literal }
        /// Appends text escaped.
        public mutating func appendInterpolation(_ text: String) { out += Markup.escape(text) }
        /// Appends text escaped (nothing for nil).
        public mutating func appendInterpolation(_ text: String?) { if let text { out += Markup.escape(text) } }
        /// Appends a number.
        public mutating func appendInterpolation(_ value: Int) { out += String(value) }
        /// Appends a number.
        public mutating func appendInterpolation(_ value: Int64) { out += String(value) }
        /// Appends a number.
        public mutating func appendInterpolation(_ value: Double) { out += String(value) }
        /// Appends markup as it is.
        public mutating func appendInterpolation(_ html: HTML) { out += html.rendered }
        /// Appends markup as it is (nothing for nil).
        public mutating func appendInterpolation(_ html: HTML?) { if let html { out += html.rendered } }
        /// Appends each piece of markup.
        public mutating func appendInterpolation(_ parts: [HTML]) { for p in parts { out += p.rendered } }
    }
}

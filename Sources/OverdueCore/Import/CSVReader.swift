import Foundation

/// An RFC 4180 CSV reader over UTF-8 bytes (BOM, CRLF or LF, quoted fields with commas, quotes and
/// line breaks). Yields records with the line number each starts on.
public struct CSVReader: Sequence, IteratorProtocol {
    /// A malformed file.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        /// 1-based line where the problem is.
        public var line: Int
        /// What is wrong.
        public var message: String
        /// What it is, in words.
        public var description: String { "line \(line): \(message)" }
    }

    /// One record: its fields and the line it starts on.
    public struct Record: Equatable, Sendable {
        /// 1-based physical line of the record's first character.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]

        /// Creates a record.
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    private let bytes: [UInt8]
    private var index: Int
    private var line = 1
    private var scratch: [UInt8] = []
    /// The first syntax error met; iteration stops there.
    public private(set) var error: SyntaxError?

    /// Reads `data`, skipping a UTF-8 byte-order mark.
    public init(data: Data) {
        bytes = [UInt8](data)
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Total bytes, for progress.
    public var byteCount: Int { bytes.count }
    /// Bytes consumed so far, for progress.
    public var bytesRead: Int { index }

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    /// The next record, or nil at the end (or on an error, kept in `error`).
    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        let count = bytes.count
        // Skip blank lines between records.
        while index < count, bytes[index] == Self.lf || bytes[index] == Self.cr {
            if bytes[index] == Self.lf { line += 1 }
            index += 1
        }
        guard index < count else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(16)
        var failure: SyntaxError?
        let (end, newLine) = bytes.withUnsafeBufferPointer { buf -> (Int, Int) in
            var i = index, ln = line
            while true {
                if i < count, buf[i] == Self.quote {
                    // Quoted field: copy with doubled quotes collapsed.
                    let quoteLine = ln
                    scratch.removeAll(keepingCapacity: true)
                    i += 1
                    var closed = false
                    while i < count {
                        let c = buf[i]
                        if c == Self.quote {
                            if i + 1 < count && buf[i + 1] == Self.quote { scratch.append(Self.quote); i += 2; continue }
                            i += 1
                            closed = true
                            break
                        }
                        if c == Self.lf { ln += 1 }
                        scratch.append(c)
                        i += 1
                    }
                    guard closed else {
                        failure = SyntaxError(line: quoteLine, message: "a quoted field opened here is never closed")
                        return (i, ln)
                    }
                    guard let s = String(validating: scratch, as: UTF8.self) else {
                        failure = SyntaxError(line: quoteLine, message: "not valid UTF-8 (save the file as UTF-8)")
                        return (i, ln)
                    }
                    fields.append(s)
                    if i < count, buf[i] != Self.comma, buf[i] != Self.lf, buf[i] != Self.cr {
                        failure = SyntaxError(line: ln, message: "unexpected character after a closing quote (quotes inside a field must be doubled)")
                        return (i, ln)
                    }
                } else {
                    let start = i
                    while i < count, buf[i] != Self.comma, buf[i] != Self.lf, buf[i] != Self.cr { i += 1 }
                    guard let s = String(validating: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self) else {
                        failure = SyntaxError(line: ln, message: "not valid UTF-8 (save the file as UTF-8)")
                        return (i, ln)
                    }
                    fields.append(s)
                }
                // At a separator, a line end or the end of the data.
                if i >= count { return (i, ln) }
                if buf[i] == Self.comma { i += 1; continue }
                if buf[i] == Self.cr, i + 1 < count, buf[i + 1] == Self.lf { i += 1 }
                return (i + 1, ln + 1)
            }
        }
        index = end
        line = newLine
        if let failure { error = failure; return nil }
        return Record(line: startLine, fields: fields)
    }
}

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
        public var description: String { "line \(line): \(message)" }
    }

    /// One record: its fields and the line it starts on.
    public struct Record: Equatable, Sendable {
        /// 1-based physical line of the record's first character.
        public var line: Int
        /// The fields, unquoted.
        public var fields: [String]
    }

    private let bytes: [UInt8]
    private var index: Int
    private var line = 1
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

    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        // Skip blank lines between records.
        while index < bytes.count, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(32)
        while true {
            guard index < bytes.count else {
                fields.append(Self.string(field))
                return validate(Record(line: startLine, fields: fields))
            }
            let b = bytes[index]
            if b == 0x22 && field.isEmpty {
                // Quoted field.
                index += 1
                let quoteLine = line
                var closed = false
                while index < bytes.count {
                    let c = bytes[index]
                    if c == 0x22 {
                        if index + 1 < bytes.count && bytes[index + 1] == 0x22 { field.append(0x22); index += 2; continue }
                        index += 1
                        closed = true
                        break
                    }
                    if c == 0x0A { line += 1 }
                    field.append(c)
                    index += 1
                }
                if !closed {
                    error = SyntaxError(line: quoteLine, message: "a quoted field opened here is never closed")
                    return nil
                }
                // After a closing quote only a separator or the end of the record may follow.
                if index < bytes.count, ![0x2C, 0x0A, 0x0D].contains(bytes[index]) {
                    error = SyntaxError(line: line, message: "unexpected character after a closing quote (quotes inside a field must be doubled)")
                    return nil
                }
                continue
            }
            switch b {
            case 0x2C:
                fields.append(Self.string(field))
                field.removeAll(keepingCapacity: true)
                index += 1
            case 0x0D, 0x0A:
                fields.append(Self.string(field))
                if b == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                line += 1
                return validate(Record(line: startLine, fields: fields))
            default:
                field.append(b)
                index += 1
            }
        }
    }

    private mutating func validate(_ r: Record) -> Record? {
        if r.fields.contains(where: { $0.contains("\u{FFFD}") }) {
            error = SyntaxError(line: r.line, message: "not valid UTF-8 (save the file as UTF-8)")
            return nil
        }
        return r
    }

    private static func string(_ bytes: [UInt8]) -> String {
        // Invalid UTF-8 becomes U+FFFD, which `validate` reports; a real U+FFFD in input is reported too.
        String(decoding: bytes, as: UTF8.self)
    }
}

import Foundation
import Testing
@testable import OverdueCore

/// Issue 20's fuzzing requirement for the CSV importer: 10,000 generated files read the way
/// `Importer.importCSV` reads them (`CSVReader`, then `RowParser` on the header and on every record).
/// The files have random quoting, embedded quotes, commas and line breaks, unterminated quotes, a BOM,
/// and CR, CRLF, LF or mixed line ends. They also have ragged rows, shuffled, duplicated, missing and
/// unknown columns, bad dates, amounts, currencies, zones and flags, bytes that are not UTF-8, and
/// truncation. Each file must be read without a crash and in under a second. Every failure must be a
/// clear error: a reason in words, on a line the file has, with the record's own line for a bad row.
/// The reader either reaches the end or stops with an error. The rows it accepts are sane. One more
/// property goes beyond "no crash": a well-formed file of N generated rows gives exactly those N rows
/// back, field for field. One bad value put into one row of such a file is reported once, on that
/// row's line and in that column, and the other rows still come back.
@Suite struct CSVFuzzTests {
    /// The corpus seed. File `i` is generated from `seed + i`, so any failure can be rerun on its own.
    static let seed: UInt64 = 20_260_421
    static let file = "fuzz.csv"

    @Test func tenThousandHostileFilesAreReadSafelyAndQuickly() {
        var clean = 0, headerRejected = 0, syntaxErrors = 0, rowErrors = 0, accepted = 0, largest = 0
        for index in 0..<10_000 {
            let seed = Self.seed &+ UInt64(index)
            var generator = HostileCSV(seed: seed, large: index % 100 == 99)
            let (kind, bytes) = generator.file()
            largest = max(largest, bytes.count)

            let started = threadCPUTime()
            let run = ImportRun(Data(bytes), kind: kind, file: Self.file)
            let elapsed = threadCPUTime() - started

            let context = "seed \(seed) (file \(index), \(kind.rawValue), \(bytes.count) bytes)"
            if elapsed > .seconds(1) { Issue.record("\(context): reading took \(elapsed), over the 1 s limit of CPU time") }
            for failure in Self.violations(run, bytes: bytes) { Issue.record("\(context): \(failure)") }
            if run.errors.isEmpty && run.records > 0 { clean += 1 }
            if run.headerRejected { headerRejected += 1 }
            if run.syntaxError != nil { syntaxErrors += 1 }
            if !run.failedRecords.isEmpty { rowErrors += 1 }
            accepted += run.accepted
        }
        // The corpus reaches what it is meant to reach: clean files, rejected headers, syntax errors,
        // bad rows, good rows, large files.
        #expect(clean > 20, "only \(clean) clean files")
        #expect(headerRejected > 50, "only \(headerRejected) rejected headers")
        #expect(syntaxErrors > 50, "only \(syntaxErrors) syntax errors")
        #expect(rowErrors > 500, "only \(rowErrors) files with bad rows")
        #expect(accepted > 1_000, "only \(accepted) rows accepted")
        #expect(largest > 50_000, "the largest file has only \(largest) bytes")
    }

    @Test func wellFormedFilesGiveBackExactlyTheirRowsAndABadRowIsNamedByLineAndColumn() {
        for index in 0..<1_000 {
            let seed = Self.seed &+ 1_000_000 &+ UInt64(index)
            var generator = WellFormedCSV(seed: seed)
            let sample = generator.make()
            let run = ImportRun(Data(sample.bytes), kind: sample.kind, file: Self.file)
            let context = "seed \(seed) (file \(index), \(sample.kind.rawValue), \(sample.rows) rows)"

            #expect(!run.headerRejected && run.syntaxError == nil, "\(context): \(run.errors)")
            #expect(run.records == sample.rows, "\(context): read \(run.records) records")
            #expect(Self.summaries(run, paymentIDs: sample.paymentIDs) == sample.expected, "\(context)")
            #expect(run.unknownColumns == sample.unknown, "\(context)")
            if let lines = sample.lines { #expect(run.recordLines == lines, "\(context)") }
            if let bad = sample.bad {
                #expect(run.failedRecords.count == 1, "\(context): \(run.errors)")
                let errors = run.failedRecords.first?.errors ?? []
                #expect(errors.count == 1 && errors.first?.column == bad.column, "\(context): expected one error in '\(bad.column)', got \(errors)")
                if bad.row < run.recordLines.count { #expect(errors.first?.line == run.recordLines[bad.row], "\(context)") }
                if let lines = sample.lines { #expect(errors.first?.line == lines[bad.row], "\(context): \(errors)") }
                #expect(errors.allSatisfy { $0.description.hasPrefix("\(Self.file):\($0.line): column '\(bad.column)': ") }, "\(context)")
            } else {
                #expect(run.errors.isEmpty, "\(context): \(run.errors)")
            }
        }
    }

    // MARK: Helpers

    /// What a run gets wrong, in words: the invariants the reader and the row parser guarantee.
    private static func violations(_ run: ImportRun, bytes: [UInt8]) -> [String] {
        var out: [String] = []
        // Lines end at LF, CR or CRLF: no error can be past the last line.
        var lastLine = 1
        for b in bytes where b == 10 || b == 13 { lastLine += 1 }
        for error in run.errors {
            if !(1...lastLine).contains(error.line) { out.append("error on line \(error.line), outside 1...\(lastLine): \(error)") }
            if error.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { out.append("error without a reason: \(error)") }
            if error.file != file || !error.description.hasPrefix("\(file):\(error.line): ") { out.append("error not naming its file and line: \(error)") }
        }
        if run.headerRejected {
            if run.errors.isEmpty { out.append("a rejected header without an error") }
            if let line = run.headerLine, run.errors.contains(where: { $0.line != line || $0.column == nil }) {
                out.append("a header error not naming the header line and a column: \(run.errors)")
            }
        }
        for (record, errors) in run.failedRecords {
            if errors.isEmpty { out.append("the record on line \(record.line) failed without an error") }
            if let other = errors.first(where: { $0.line != record.line }) {
                out.append("the record on line \(record.line) was reported on line \(other.line)")
            }
        }
        if let syntax = run.syntaxError, syntax.message.isEmpty || !(1...lastLine).contains(syntax.line) {
            out.append("a syntax error without words or outside the file: \(syntax)")
        }
        let lines = (run.headerLine.map { [$0] } ?? []) + run.recordLines
        if zip(lines, lines.dropFirst()).contains(where: { pair in pair.0 >= pair.1 }) { out.append("record lines do not increase: \(lines.prefix(40))") }
        if let last = lines.last, last > lastLine { out.append("a record on line \(last), past the last line \(lastLine)") }
        if run.readToEnd && run.bytesRead != run.byteCount {
            out.append("the reader stopped at byte \(run.bytesRead) of \(run.byteCount) without an error: the rest would be lost unseen")
        }
        if run.bytesRead > run.byteCount { out.append("the reader read \(run.bytesRead) of \(run.byteCount) bytes") }
        for row in run.invoices {
            let i = row.invoice
            if i.amount.minorUnits <= 0 || i.dueDate < i.issueDate || i.number.isEmpty || i.debtorID.isEmpty || row.debtorName.isEmpty
                || !isCode(i.amount.currency.code) || i.number != i.number.trimmedASCII
            {
                out.append("invoice \(i.number.debugDescription) accepted with bad values: \(i)")
            }
        }
        for c in run.contacts where (c.email == nil && c.phone == nil) || TimeZone(identifier: c.timeZone) == nil || c.name.isEmpty || c.debtorID.isEmpty {
            out.append("contact \(c.name.debugDescription) accepted with bad values: \(c)")
        }
        for p in run.payments where p.amount.minorUnits <= 0 || p.id.isEmpty || p.debtorID.isEmpty || !isCode(p.amount.currency.code) {
            out.append("payment \(p.id.debugDescription) accepted with bad values: \(p)")
        }
        return out
    }

    /// Whether `code` is three upper-case ASCII letters.
    static func isCode(_ code: String) -> Bool { code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 65 && $0 <= 90 } }

    /// The accepted rows in the form `WellFormedCSV` writes its expectations in.
    private static func summaries(_ run: ImportRun, paymentIDs: Bool) -> [String] {
        switch run.kind {
        case .invoices:
            return run.invoices.map {
                let i = $0.invoice
                return "\(i.number)|\(i.debtorID)|\($0.debtorName)|\(i.amount)|\(i.issueDate)|\(i.dueDate)|\(i.factored)|"
                    + "\(i.terms ?? "-")|\(i.loadNumber ?? "-")"
            }
        case .contacts:
            return run.contacts.map {
                "\($0.debtorID)|\($0.name)|\($0.email ?? "-")|\($0.phone ?? "-")|\($0.timeZone)|\($0.smsConsent)|\($0.callConsent)|"
                    + "\($0.preferredChannel?.rawValue ?? "-")|\($0.role ?? "-")"
            }
        case .payments:
            return run.payments.map {
                let id = paymentIDs ? $0.id : ($0.id.hasPrefix("pay-") && $0.id.utf8.count == 20 ? "derived" : $0.id)
                return "\($0.debtorID)|\($0.amount)|\($0.date)|\($0.reference ?? "-")|\($0.invoiceNumber ?? "-")|\(id)"
            }
        }
    }
}

/// What reading a file the way the importer reads it gave: the rows, the errors, how far the reader got.
private struct ImportRun {
    var kind: ImportKind
    var records = 0
    var headerLine: Int?
    var recordLines: [Int] = []
    var headerRejected = false
    var unknownColumns: [String] = []
    var invoices: [InvoiceRow] = []
    var contacts: [Contact] = []
    var payments: [Payment] = []
    var failedRecords: [(record: CSVReader.Record, errors: [RowError])] = []
    /// Every error, as the importer reports them (a syntax error last, as a row error without a column).
    var errors: [RowError] = []
    var syntaxError: CSVReader.SyntaxError?
    /// Whether the reader ran out of records without an error.
    var readToEnd = false
    var bytesRead = 0
    var byteCount = 0

    var accepted: Int { invoices.count + contacts.count + payments.count }

    init(_ data: Data, kind: ImportKind, file: String) {
        self.kind = kind
        var reader = CSVReader(data: data)
        guard let header = reader.next() else {
            syntaxError = reader.error
            if let e = reader.error {
                errors = [RowError(file: file, line: e.line, column: nil, reason: e.message)]
            } else {
                errors = [RowError(file: file, line: 1, column: nil, reason: "the file is empty; the first line must be a header naming the columns")]
                readToEnd = true
            }
            bytesRead = reader.bytesRead
            byteCount = reader.byteCount
            return
        }
        headerLine = header.line
        let parser: RowParser
        do {
            parser = try RowParser(kind: kind, file: file, header: header, country: "US", timeZone: "America/Chicago")
        } catch {
            headerRejected = true
            errors = error.errors
            bytesRead = reader.bytesRead
            byteCount = reader.byteCount
            return
        }
        unknownColumns = parser.unknownColumns
        var occurrences: [String: Int] = [:]
        while let record = reader.next() {
            records += 1
            recordLines.append(record.line)
            var failure: ImportErrors?
            switch kind {
            case .invoices:
                switch parser.invoice(record) {
                case .success(let row): invoices.append(row)
                case .failure(let e): failure = e
                }
            case .contacts:
                switch parser.contact(record) {
                case .success(let contact): contacts.append(contact)
                case .failure(let e): failure = e
                }
            case .payments:
                let result = parser.payment(record) { content in
                    occurrences[content, default: 0] += 1
                    return occurrences[content, default: 0]
                }
                switch result {
                case .success(let payment): payments.append(payment)
                case .failure(let e): failure = e
                }
            }
            if let failure {
                failedRecords.append((record, failure.errors))
                errors += failure.errors
            }
        }
        if let e = reader.error {
            syntaxError = e
            errors.append(RowError(file: file, line: e.line, column: nil, reason: e.message + "; nothing after this line was read"))
        } else {
            readToEnd = true
        }
        bytesRead = reader.bytesRead
        byteCount = reader.byteCount
    }
}

/// Makes one hostile CSV file from a seed.
private struct HostileCSV: SeededDrawing {
    var rng: SeededGenerator
    /// Whether this is one of the large files (hundreds of rows).
    let large: Bool

    init(seed: UInt64, large: Bool) {
        rng = SeededGenerator(seed: seed)
        self.large = large
    }

    static let unknownColumns = [
        "notes", "Amount Due", "", "Region", "ÍNVOICE", "amount;currency", "\"", "debtor\nid", "invoice number 2", "\u{FEFF}invoice_number", "a,b",
    ]
    static let names = ["Acme", "Acme, Inc.", "Say \"Hi\" Freight", "Two\nLines LLC", "José Núñez", "Zoë 😀 Ltd", "\u{202E}evil", "", " ", "O'Brien & Sons"]
    static let badAmounts = [
        "", "12,5", "1e5", "NaN", "nan", "Infinity", "-inf", "99999999999999999999", "1.234", "-10.00", "(10.00)", "0", "0.00", "$", "$$1", "1,,000",
        "1,2345", ".5", "5.", "١٢٣", "１２３", "12 345", "1.000,00", "--5", "+5", "0x10", "1_000", String(repeating: "9", count: 1_000),
        "100000000000000", "999999999999999.99", "9999999999999999", "(5", "5)", "$-5", "1,234,56", "12.5.0", "€12",
    ]
    static let badCurrencies = ["", "US", "USDX", "US$", "dollars", "123", "ÜSD", "U S", "usd ", " eur", "XXX", "jpy", "\u{0}US"]
    static let badDates = [
        "", "2026-02-30", "2026-13-01", "13/45/2026", "2026-1-5", "2026-01-05T10:00:00Z", "2026-01-05x", "0000-01-01", "9999-12-31", "10000-01-01",
        "yesterday", "2026/01/05", "1/1/26", "2/29/2025", "2/29/2024", "-2026-01-01", "２０２６-01-01", "2026-01-0５", "1/1/", "//", "2026-01-05 12:00",
    ]
    static let noise: [UInt8] = [0, 34, 44, 10, 13, 0xFF, 0x80, 9, 32, 0xEF]

    mutating func file() -> (kind: ImportKind, bytes: [UInt8]) {
        let kind = pick(ImportKind.allCases)
        let columns = header(kind)
        let ending = pick(["\n", "\n", "\r\n", "\r\n", "\r", "mixed"])
        var out: [UInt8] = []
        if chance(0.15) { out += [0xEF, 0xBB, 0xBF] }
        var cells: [String] = []
        for column in columns { cells.append(quoted(column.written)) }
        out += Array(cells.joined(separator: ",").utf8)
        out += lineEnd(ending)
        let rows = large ? int(200...1_500) : int(0...15)
        for row in 0..<rows {
            if chance(0.03) { out += lineEnd(ending) }  // a blank line
            var fields: [String] = []
            for column in columns { fields.append(value(column.name, row: row)) }
            if chance(0.05) && !fields.isEmpty {
                let drop = min(fields.count, int(1...3))
                fields.removeLast(drop)
            }
            if chance(0.05) {
                for _ in 0..<int(1...3) { fields.append(chance(0.5) ? "" : "extra") }
            }
            var written: [String] = []
            for field in fields { written.append(quoted(field)) }
            out += Array(written.joined(separator: ",").utf8)
            if row < rows - 1 || chance(0.7) { out += lineEnd(ending) }
        }
        return (kind, damaged(out))
    }

    /// The header's columns: canonical name and the spelling written.
    mutating func header(_ kind: ImportKind) -> [(name: String, written: String)] {
        var names = kind.requiredColumns
        if chance(0.1) {
            let at = int(0...(names.count - 1))
            names.remove(at: at)
        }
        for column in kind.optionalColumns where chance(0.4) { names.append(column) }
        if chance(0.05) {
            let again = pick(names)
            names.append(again)
        }
        if chance(0.2) {
            for _ in 0..<int(1...3) { names.append(pick(Self.unknownColumns)) }
        }
        names.shuffle(using: &rng)
        var out: [(name: String, written: String)] = []
        for name in names { out.append((name, spelling(name))) }
        return out
    }

    mutating func spelling(_ name: String) -> String {
        switch int(0...5) {
        case 0: return name.uppercased()
        case 1: return name.replacingOccurrences(of: "_", with: " ").capitalized
        case 2: return " \(name) "
        case 3: return "\t\(name)"
        default: return name
        }
    }

    mutating func value(_ name: String, row: Int) -> String {
        let bad = chance(0.15)
        switch name {
        case "invoice_number":
            return bad ? pick(["", " ", "INV,1", "INV\"1", "INV\n1", String(repeating: "9", count: 5_000)]) : "INV-\(row)-\(int(0...99))"
        case "debtor_id":
            return bad ? pick(["", "D 1", "D\u{0}1", "Ω", "\t"]) : "D\(int(1...20))"
        case "debtor_name", "name":
            return bad ? pick(Self.names) : pick(["Acme", "Big Shipper Inc", "José Núñez"])
        case "amount":
            if bad { return pick(Self.badAmounts) }
            let plain = Money.decimalString(Int64(int(1...2_000_000_000)), digits: 2)
            return pick([plain, Money.grouped(plain), "$" + Money.grouped(plain), " \(plain) "])
        case "currency":
            return bad ? pick(Self.badCurrencies) : pick(["USD", "usd", "CAD", "MXN", "EUR", "JPY", "KWD"])
        case "issue_date", "due_date", "date":
            if bad { return pick(Self.badDates) }
            let date = LocalDate(dayNumber: int(18_000...22_000))
            return pick([date.description, "\(date.month)/\(date.day)/\(date.year)", date.description + "T00:00:00Z"])
        case "factored", "sms_consent", "call_consent":
            return bad ? pick(["maybe", "2", "oui", "YES!", "truee"]) : pick(["yes", "no", "TRUE", "false", "1", "0", ""])
        case "email":
            if bad { return pick(["not-an-email", "a@@b", "@x.example", "a@b", "a b@c.example", "<a@b.example>"]) }
            return pick(["dana@shipper.example", "AP@Shipper.Example", ""])
        case "phone":
            if bad { return pick(["555", "phone", "+0 123", "+1 (000) 000-0000", String(repeating: "9", count: 40), "312-555-0101 ext"]) }
            return pick(["(312) 555-0101", "+13125550101", "312.555.0101", ""])
        case "timezone":
            return bad ? pick(["Mars/Base", "../../etc/passwd", "GMT+25", "America/", "\u{0}"]) : pick(["America/New_York", "", "Europe/London", "UTC"])
        case "preferred_channel":
            return bad ? pick(["fax", "pigeon", "e-mail"]) : pick(["email", "sms", "voice", "SMS", ""])
        default:
            if bad { return pick(["\"", "\"\"", "a\"b", "x\r\ny", ",", String(repeating: "z", count: 2_000)]) }
            return pick(["", "x", "PRO-9", "Net 30", "1,2,3", "say \"hi\""])
        }
    }

    /// `field` as written in the file: quoted when it must be (usually), sometimes when it need not
    /// be, rarely broken (text after the closing quote).
    mutating func quoted(_ field: String) -> String {
        let needs = field.contains(",") || field.contains("\"") || field.utf8.contains(10) || field.utf8.contains(13)
        if (needs && chance(0.9)) || (!needs && chance(0.1)) {
            let body = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return chance(0.01) ? body + "x" : body
        }
        return field
    }

    mutating func lineEnd(_ ending: String) -> [UInt8] {
        let end = ending == "mixed" ? pick(["\n", "\r\n", "\r"]) : ending
        return Array(end.utf8)
    }

    /// The file after damage: bytes that are not UTF-8, truncation, a stray quote, noise, or (rarely)
    /// nothing but a BOM or a line break.
    mutating func damaged(_ file: [UInt8]) -> [UInt8] {
        var b = file
        if chance(0.05) {
            let invalid: [[UInt8]] = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]]
            for _ in 0..<int(1...3) {
                let at = int(0...b.count)
                let bytes = pick(invalid)
                b.insert(contentsOf: bytes, at: at)
            }
        }
        if chance(0.05) && !b.isEmpty {
            let cut = int(0...(b.count - 1))
            b = Array(b[..<cut])
        }
        if chance(0.04) {
            let at = int(0...b.count)
            b.insert(UInt8(ascii: "\""), at: at)
        }
        if chance(0.03) && !b.isEmpty {
            for _ in 0..<int(1...5) {
                let at = int(0...(b.count - 1))
                b[at] = pick(Self.noise)
            }
        }
        if chance(0.02) {
            let tiny: [[UInt8]] = [[], [0xEF, 0xBB, 0xBF], [10], [13, 10, 13, 10], [44, 44], [34]]
            b = pick(tiny)
        }
        return b
    }
}

/// Makes one well-formed file of generated rows from a seed, with what reading it must give.
private struct WellFormedCSV: SeededDrawing {
    var rng: SeededGenerator
    /// The columns of the file being made (canonical names and unknown ones).
    var columns: [String] = []

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    struct Sample {
        var kind: ImportKind
        var bytes: [UInt8] = []
        var rows = 0
        /// The line each record starts on, when the line ends make that plain (LF or CRLF).
        var lines: [Int]?
        /// The one row made bad, and the column at fault.
        var bad: (row: Int, column: String)?
        /// The unknown columns, as written, in header order.
        var unknown: [String] = []
        /// Whether the payments file has a payment_id column.
        var paymentIDs = false
        /// The rows that must come back, in `CSVFuzzTests.summaries` form.
        var expected: [String] = []
    }

    static let names = ["Acme", "Acme, Inc.", "Say \"Hi\" Freight", "Two\nLines LLC", "José Núñez", "Zoë 😀 Ltd", "O'Brien & Sons"]
    static let flags = ["yes", "no", "TRUE", "false", "1", "0", "Y", "n", ""]

    mutating func make() -> Sample {
        let kind = pick(ImportKind.allCases)
        var sample = Sample(kind: kind)
        var columns = kind.requiredColumns
        for column in kind.optionalColumns where chance(0.5) { columns.append(column) }
        if kind == .contacts && !columns.contains("email") { columns.append("email") }
        var unknown: [String] = []
        for name in ["Notes", "Region", "Sales Rep"] where chance(0.2) {
            columns.append(name)
            unknown.append(name)
        }
        columns.shuffle(using: &rng)
        self.columns = columns
        sample.unknown = columns.filter { unknown.contains($0) }
        sample.paymentIDs = columns.contains("payment_id")

        let eol = pick(["\n", "\r\n", "\r"])
        var out: [UInt8] = []
        if chance(0.2) { out += [0xEF, 0xBB, 0xBF] }
        var cells: [String] = []
        for column in columns {
            let written = unknown.contains(column) ? column : spelling(column)
            cells.append(cell(written))
        }
        out += Array((cells.joined(separator: ",") + eol).utf8)

        let rows = int(0...30)
        sample.rows = rows
        var badColumns = Self.badColumns(kind).filter { columns.contains($0) }
        if badColumns.isEmpty { badColumns = ["amount"] }
        if rows > 0 && chance(0.5) {
            let row = int(0...(rows - 1))
            let column = pick(badColumns)
            sample.bad = (row, column)
        }
        var lines: [Int] = []
        for row in 0..<rows {
            if chance(0.05) { out += Array(eol.utf8) }  // a blank line, skipped
            lines.append(1 + out.reduce(0) { $0 + ($1 == 10 ? 1 : 0) })
            let badColumn = sample.bad?.row == row ? sample.bad?.column : nil
            var values: [String: String] = [:]
            let summary: String
            switch kind {
            case .invoices: summary = invoice(row, &values, bad: badColumn)
            case .contacts: summary = contact(row, &values, bad: badColumn)
            case .payments: summary = payment(row, &values, bad: badColumn)
            }
            if badColumn == nil { sample.expected.append(summary) }
            var written: [String] = []
            for column in columns { written.append(cell(values[column] ?? (unknown.contains(column) ? "note \(row)" : ""))) }
            out += Array(written.joined(separator: ",").utf8)
            if row < rows - 1 || chance(0.7) { out += Array(eol.utf8) }
        }
        sample.lines = eol == "\r" ? nil : lines
        sample.bytes = out
        return sample
    }

    /// The columns a bad value can go into, one error each.
    static func badColumns(_ kind: ImportKind) -> [String] {
        switch kind {
        case .invoices: return ["amount", "currency", "issue_date", "due_date", "factored"]
        case .contacts: return ["email", "timezone", "sms_consent", "call_consent", "preferred_channel"]
        case .payments: return ["amount", "currency", "date"]
        }
    }

    /// A value that gives exactly one error in `column`.
    mutating func badValue(_ column: String) -> String {
        switch column {
        case "amount": return pick(["12,5", "1e5", "NaN", "0", "-10.00", "(5.00)", "1,2345", "12.5.0"])
        case "currency": return pick(["dollars", "US", "U$D", "123", ""])
        case "issue_date", "due_date", "date": return pick(["2026-02-30", "yesterday", "13/45/2026", "2026/01/05", ""])
        case "factored", "sms_consent", "call_consent": return pick(["maybe", "2", "oui"])
        case "email": return pick(["not-an-email", "a@b", "@x.example"])
        case "timezone": return pick(["Mars/Base", "Mars/Olympus"])
        default: return pick(["fax", "pigeon"])
        }
    }

    mutating func spelling(_ name: String) -> String {
        switch int(0...4) {
        case 0: return name.uppercased()
        case 1: return name.replacingOccurrences(of: "_", with: " ").capitalized
        case 2: return " \(name) "
        default: return name
        }
    }

    /// `field` quoted when it must be, and now and then when it need not be.
    mutating func cell(_ field: String) -> String {
        let needs = field.contains(",") || field.contains("\"") || field.utf8.contains(10) || field.utf8.contains(13)
        guard needs || chance(0.2) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    mutating func amountText(_ minor: Int64, _ currency: Currency) -> String {
        let plain = Money.decimalString(minor, digits: currency.minorUnitDigits)
        var scale: Int64 = 1
        for _ in 0..<currency.minorUnitDigits { scale *= 10 }
        switch int(0...4) {
        case 0: return Money.grouped(plain)
        case 1: return "$" + Money.grouped(plain)
        case 2: return "  \(plain) "
        case 3 where minor % scale == 0: return String(minor / scale)
        default: return plain
        }
    }

    mutating func dateText(_ d: LocalDate) -> String {
        switch int(0...3) {
        case 0: return "\(d.month)/\(d.day)/\(d.year)"
        case 1: return d.description + "T00:00:00Z"
        case 2: return " \(d.description)"
        default: return d.description
        }
    }

    /// Whether the file has `column`.
    func has(_ column: String) -> Bool { columns.contains(column) }

    /// A flag as the row parser reads it (an empty or absent one is false).
    static func flag(_ text: String) -> Bool { ["yes", "true", "1", "y", "t"].contains(text.lowercased()) }

    mutating func invoice(_ row: Int, _ v: inout [String: String], bad: String?) -> String {
        let number = "INV-\(row)", debtor = "D\(int(1...9))", name = pick(Self.names)
        // With a bad currency the amount is read as USD: it must be one.
        let code = bad == "currency" ? "USD" : pick(["USD", "usd", "CAD", "MXN", "EUR", "JPY", "KWD"])
        let currency = Currency(code)!
        let amount = Money(minorUnits: Int64(int(1...2_000_000_000)), currency: currency)
        let issue = LocalDate(dayNumber: int(18_000...22_000)), due = issue.adding(days: int(0...120))
        v["invoice_number"] = number
        v["debtor_id"] = debtor
        v["debtor_name"] = name
        v["amount"] = amountText(amount.minorUnits, currency)
        v["currency"] = code
        v["issue_date"] = dateText(issue)
        v["due_date"] = dateText(due)
        let factored = pick(Self.flags), terms = pick(["Net 30", "", "2/10, Net 30", "COD"]), load = pick(["L\(row)", ""])
        v["factored"] = factored
        v["terms"] = terms
        v["load_number"] = load
        if let bad { v[bad] = badValue(bad) }
        let isFactored = has("factored") && Self.flag(factored)
        let termsText = has("terms") && !terms.isEmpty ? terms : "-", loadText = has("load_number") && !load.isEmpty ? load : "-"
        return "\(number)|\(debtor)|\(name)|\(amount)|\(issue)|\(due)|\(isFactored)|\(termsText)|\(loadText)"
    }

    mutating func contact(_ row: Int, _ v: inout [String: String], bad: String?) -> String {
        let debtor = "D\(int(1...9))", name = pick(Self.names) + " \(row)"
        let digits = String(100 + row)
        let phones = [
            "(312) 555-0\(digits)", "312-555-0\(digits)", "312.555.0\(digits)", "+1 312 555 0\(digits)", "1 312 555 0\(digits)",
        ]
        // Email or phone, at least one (the phone column may be absent: then always the email).
        let withEmail = !has("phone") || chance(0.7)
        let email = withEmail ? "Dana.\(row)@Shipper.Example" : ""
        let phone = !withEmail || chance(0.5) ? pick(phones) : ""
        let zone = pick(["", "America/New_York", "Europe/London", "Asia/Tokyo"])
        let sms = pick(Self.flags), call = pick(Self.flags)
        let preferred = pick(["email", "SMS", "voice", ""]), role = pick(["AP", "", "Controller"])
        v["debtor_id"] = debtor
        v["name"] = name
        v["email"] = email
        v["phone"] = phone
        v["timezone"] = zone
        v["sms_consent"] = sms
        v["call_consent"] = call
        v["preferred_channel"] = preferred
        v["role"] = role
        if let bad { v[bad] = badValue(bad) }
        let emailText = email.isEmpty ? "-" : "Dana.\(row)@shipper.example"
        let phoneText = has("phone") && !phone.isEmpty ? "+13125550\(digits)" : "-"
        let zoneText = has("timezone") && !zone.isEmpty ? zone : "America/Chicago"
        let smsFlag = has("sms_consent") && Self.flag(sms), callFlag = has("call_consent") && Self.flag(call)
        let preferredText = has("preferred_channel") && !preferred.isEmpty ? preferred.lowercased() : "-"
        let roleText = has("role") && !role.isEmpty ? role : "-"
        return "\(debtor)|\(name)|\(emailText)|\(phoneText)|\(zoneText)|\(smsFlag)|\(callFlag)|\(preferredText)|\(roleText)"
    }

    mutating func payment(_ row: Int, _ v: inout [String: String], bad: String?) -> String {
        let debtor = "D\(int(1...9))"
        let code = bad == "currency" ? "USD" : pick(["USD", "usd", "CAD", "MXN", "EUR", "JPY", "KWD"])
        let currency = Currency(code)!
        let amount = Money(minorUnits: Int64(int(1...2_000_000_000)), currency: currency)
        let date = LocalDate(dayNumber: int(18_000...22_000))
        let reference = pick(["ACH 1", "", "Wire, ref \"77\""]), invoice = pick(["INV-\(int(1...99))", ""])
        v["debtor_id"] = debtor
        v["amount"] = amountText(amount.minorUnits, currency)
        v["currency"] = code
        v["date"] = dateText(date)
        v["reference"] = reference
        v["invoice_number"] = invoice
        v["payment_id"] = "P-\(row)"
        if let bad { v[bad] = badValue(bad) }
        let referenceText = has("reference") && !reference.isEmpty ? reference : "-"
        let invoiceText = has("invoice_number") && !invoice.isEmpty ? invoice : "-"
        let id = has("payment_id") ? "P-\(row)" : "derived"
        return "\(debtor)|\(amount)|\(date)|\(referenceText)|\(invoiceText)|\(id)"
    }
}

/// CPU time this thread has used: the per-input limit is on the work itself, not on how busy the
/// machine is with other tests.
private func threadCPUTime() -> Duration {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
}

import Foundation

/// What a CSV file holds.
public enum ImportKind: String, Sendable, CaseIterable {
    /// Invoices.
    case invoices
    /// Contacts.
    case contacts
    /// Payments.
    case payments

    /// Columns that must be present in the header.
    public var requiredColumns: [String] {
        switch self {
        case .invoices: return ["invoice_number", "debtor_id", "debtor_name", "amount", "currency", "issue_date", "due_date"]
        case .contacts: return ["debtor_id", "name"]
        case .payments: return ["debtor_id", "amount", "currency", "date"]
        }
    }

    /// Columns that may be present.
    public var optionalColumns: [String] {
        switch self {
        case .invoices: return ["load_number", "pro_number", "bol_number", "po_number", "terms", "factored"]
        case .contacts: return ["email", "phone", "role", "timezone", "sms_consent", "call_consent", "preferred_channel"]
        case .payments: return ["reference", "invoice_number", "payment_id"]
        }
    }
}

/// A bad row (or header): file, line, column and reason.
public struct RowError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// The column, when one is at fault.
    public var column: String?
    /// What is wrong and how to fix it.
    public var reason: String

    /// Creates an error.
    public init(file: String, line: Int, column: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `invoices.csv:12: column 'amount': '12,5' is not an amount`.
    public var description: String {
        "\(file):\(line): " + (column.map { "column '\($0)': " } ?? "") + reason
    }
}

/// An invoice row with the debtor name it carried.
public struct InvoiceRow: Hashable, Sendable {
    /// The invoice.
    public var invoice: Invoice
    /// The debtor's name.
    public var debtorName: String
}

/// Header-based row parsing and validation for the three import files. Pure.
public struct RowParser: Sendable {
    /// Which file this is.
    public let kind: ImportKind
    /// The file name used in errors.
    public let file: String
    /// Default country for phone numbers.
    public let country: String
    /// Default zone for contacts without one.
    public let timeZone: String
    private let columns: [String: Int]

    /// Columns in the header that are not known (ignored; the CLI warns about them).
    public let unknownColumns: [String]

    /// Reads the header; throws every header problem (missing or duplicate columns).
    public init(kind: ImportKind, file: String, header: CSVReader.Record, country: String, timeZone: String) throws(ImportErrors) {
        self.kind = kind
        self.file = file
        self.country = country
        self.timeZone = timeZone
        var cols: [String: Int] = [:]
        var problems: [RowError] = []
        var unknown: [String] = []
        let known = Set(kind.requiredColumns + kind.optionalColumns)
        for (i, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
            if cols[name] != nil {
                problems.append(RowError(file: file, line: header.line, column: name, reason: "column appears twice in the header"))
            }
            cols[name] = i
            if !known.contains(name) && !name.isEmpty { unknown.append(raw) }
        }
        for req in kind.requiredColumns where cols[req] == nil {
            problems.append(
                RowError(
                    file: file, line: header.line, column: req,
                    reason: "required column is missing (the header must name: \(kind.requiredColumns.joined(separator: ", ")))"))
        }
        if kind == .contacts && cols["email"] == nil && cols["phone"] == nil {
            problems.append(RowError(file: file, line: header.line, column: "email", reason: "a contacts file needs an email or a phone column"))
        }
        guard problems.isEmpty else { throw ImportErrors(errors: problems) }
        columns = cols
        unknownColumns = unknown
    }

    private struct Row {
        let record: CSVReader.Record
        let columns: [String: Int]
        func value(_ name: String) -> String? {
            guard let i = columns[name], i < record.fields.count else { return nil }
            let v = record.fields[i].trimmedASCII
            return v.isEmpty ? nil : v
        }
    }

    private func error(_ record: CSVReader.Record, _ column: String?, _ reason: String) -> RowError {
        RowError(file: file, line: record.line, column: column, reason: reason)
    }

    private func required(_ row: Row, _ name: String, _ errors: inout [RowError]) -> String? {
        guard let v = row.value(name) else { errors.append(error(row.record, name, "is empty; a value is required")); return nil }
        return v
    }

    private func date(_ row: Row, _ name: String, _ errors: inout [RowError]) -> LocalDate? {
        guard let v = required(row, name, &errors) else { return nil }
        guard let d = LocalDate.parse(v) else {
            errors.append(error(row.record, name, "'\(v)' is not a date (use YYYY-MM-DD or M/D/YYYY)")); return nil
        }
        return d
    }

    private func currency(_ row: Row, _ errors: inout [RowError]) -> Currency? {
        guard let v = required(row, "currency", &errors) else { return nil }
        guard let c = Currency(v) else { errors.append(error(row.record, "currency", "'\(v)' is not an ISO 4217 code such as USD")); return nil }
        return c
    }

    private func money(_ row: Row, _ currency: Currency?, _ errors: inout [RowError]) -> Money? {
        guard let v = required(row, "amount", &errors) else { return nil }
        do {
            // With a bad currency the amount is still checked (as a 2-decimal amount) so both errors show.
            let m = try Money.parse(v, currency: currency ?? .usd)
            guard currency != nil else { return nil }
            guard m.minorUnits > 0 else { errors.append(error(row.record, "amount", "'\(v)' must be greater than zero")); return nil }
            return m
        } catch {
            errors.append(self.error(row.record, "amount", error.description)); return nil
        }
    }

    private func bool(_ row: Row, _ name: String, _ errors: inout [RowError]) -> Bool {
        guard let v = row.value(name)?.lowercased() else { return false }
        switch v {
        case "true", "yes", "y", "1", "t": return true
        case "false", "no", "n", "0", "f": return false
        default: errors.append(error(row.record, name, "'\(v)' is not true or false")); return false
        }
    }

    private func checkWidth(_ record: CSVReader.Record, _ errors: inout [RowError]) {
        if record.fields.count > columns.count && record.fields.dropFirst(columns.count).contains(where: { !$0.trimmedASCII.isEmpty }) {
            errors.append(error(record, nil, "has \(record.fields.count) fields but the header has \(columns.count)"))
        }
    }

    /// Parses an invoices row.
    public func invoice(_ record: CSVReader.Record) -> Result<InvoiceRow, ImportErrors> {
        let row = Row(record: record, columns: columns)
        var errors: [RowError] = []
        checkWidth(record, &errors)
        let number = required(row, "invoice_number", &errors)
        let debtor = required(row, "debtor_id", &errors)
        let debtorName = required(row, "debtor_name", &errors)
        let cur = currency(row, &errors)
        let amount = money(row, cur, &errors)
        let issue = date(row, "issue_date", &errors)
        let due = date(row, "due_date", &errors)
        if let issue, let due, due < issue { errors.append(error(record, "due_date", "\(due) is before issue_date \(issue)")) }
        let factored = bool(row, "factored", &errors)
        guard errors.isEmpty, let number, let debtor, let debtorName, let amount, let issue, let due else { return .failure(ImportErrors(errors: errors)) }
        return .success(
            InvoiceRow(
                invoice: Invoice(
                    number: number, debtorID: debtor, amount: amount, issueDate: issue, dueDate: due,
                    loadNumber: row.value("load_number"), proNumber: row.value("pro_number"),
                    bolNumber: row.value("bol_number"), poNumber: row.value("po_number"),
                    terms: row.value("terms"), factored: factored),
                debtorName: debtorName))
    }

    /// Parses a contacts row into a contact whose `id` is 0 until the store assigns one.
    public func contact(_ record: CSVReader.Record) -> Result<Contact, ImportErrors> {
        let row = Row(record: record, columns: columns)
        var errors: [RowError] = []
        checkWidth(record, &errors)
        let debtor = required(row, "debtor_id", &errors)
        let name = required(row, "name", &errors)
        var email: String?, phone: String?
        if let e = row.value("email") {
            email = EmailAddress.normalize(e)
            if email == nil { errors.append(error(record, "email", "'\(e)' is not an email address")) }
        }
        if let p = row.value("phone") {
            phone = PhoneNumber.normalize(p, defaultCountry: country)
            if phone == nil {
                errors.append(error(record, "phone", "'\(p)' is not a phone number (national numbers are read as \(country); use +CC… for others)"))
            }
        }
        if row.value("email") == nil && row.value("phone") == nil {
            errors.append(error(record, "email", "a contact needs an email or a phone"))
        }
        var zone = timeZone
        if let z = row.value("timezone") {
            if TimeZone(identifier: z) != nil {
                zone = z
            } else {
                errors.append(error(record, "timezone", "'\(z)' is not an IANA time zone such as America/New_York"))
            }
        }
        let sms = bool(row, "sms_consent", &errors)
        let call = bool(row, "call_consent", &errors)
        var preferred: Channel?
        if let p = row.value("preferred_channel") {
            preferred = Channel(rawValue: p.lowercased())
            if preferred == nil { errors.append(error(record, "preferred_channel", "'\(p)' must be email, sms or voice")) }
        }
        guard errors.isEmpty, let debtor, let name else { return .failure(ImportErrors(errors: errors)) }
        return .success(
            Contact(
                id: 0, debtorID: debtor, name: name, email: email, phone: phone, role: row.value("role"), timeZone: zone,
                smsConsent: sms, callConsent: call, preferredChannel: preferred))
    }

    /// Parses a payments row; `occurrence` tells identical rows apart when no `payment_id` is given.
    public func payment(_ record: CSVReader.Record, occurrence: (String) -> Int) -> Result<Payment, ImportErrors> {
        let row = Row(record: record, columns: columns)
        var errors: [RowError] = []
        checkWidth(record, &errors)
        let debtor = required(row, "debtor_id", &errors)
        let cur = currency(row, &errors)
        let amount = money(row, cur, &errors)
        let date = date(row, "date", &errors)
        guard errors.isEmpty, let debtor, let amount, let date else { return .failure(ImportErrors(errors: errors)) }
        let reference = row.value("reference"), invoice = row.value("invoice_number")
        let id: String
        if let given = row.value("payment_id") {
            id = given
        } else {
            // Re-importing the same file must not count a payment twice: the id is derived from the content.
            let content = [debtor, String(amount.minorUnits), amount.currency.code, date.description, reference ?? "", invoice ?? ""].joined(
                separator: "\u{1F}")
            id = "pay-" + StableHash.hex(content + "\u{1F}\(occurrence(content))")
        }
        return .success(Payment(id: id, debtorID: debtor, amount: amount, date: date, reference: reference, invoiceNumber: invoice))
    }
}

/// One or more row errors.
public struct ImportErrors: Error, Hashable, Sendable, CustomStringConvertible {
    /// The errors, in file order.
    public var errors: [RowError]
    /// Creates the list.
    public init(errors: [RowError]) { self.errors = errors }
    /// What it is, in words.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// FNV-1a 64-bit: a stable, platform-independent hash for deterministic ids.
public enum StableHash {
    /// The 16-hex-digit hash of `text`'s UTF-8 bytes.
    public static func hex(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// Unguessable tokens for links that act without a login (document downloads, unsubscribe).
public enum SecretToken {
    /// `bytes` random bytes from the system's secure generator, base64url without padding.
    public static func make(bytes: Int = 24) -> String {
        // Eight bytes per draw: each draw asks the kernel, and an event id or a link is made per message.
        var rng = SystemRandomNumberGenerator()
        var raw: [UInt8] = []
        raw.reserveCapacity(bytes + 7)
        while raw.count < bytes { withUnsafeBytes(of: rng.next() as UInt64) { raw.append(contentsOf: $0) } }
        return base64URL(raw.prefix(bytes))
    }

    /// `bytes` in base64url without padding (RFC 4648 §5).
    public static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | UInt32(b)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 63)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(6 - bits)) & 63)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Lower-case hexadecimal, two digits per byte (digests, signatures).
public enum Hex {
    /// `bytes` as lower-case hex.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

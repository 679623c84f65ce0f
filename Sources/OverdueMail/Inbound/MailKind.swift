import Foundation

/// A failed (or delayed) recipient in a bounce.
public struct BouncedRecipient: Hashable, Sendable, Codable {
    /// The address.
    public var address: String
    /// RFC 3463 status (`5.1.1`), when one was found.
    public var status: String?
    /// Whether the address itself is bad: the message can never be delivered to it.
    public var hard: Bool
    /// Why it bounced.
    public var reason: BounceReason
    /// The server's words (Diagnostic-Code or the line that said it).
    public var diagnostic: String?

    /// A recipient whose reason is read from `status`, the server's words about it (`diagnostic`,
    /// or the part of a plain-text notice that speaks of it) and the rest of the notice. `hard`
    /// follows from the reason and the status's class (`BounceReason.isHard(status:)`: only a
    /// permanent failure that names the address), and a delayed action (RFC 3464 §2.3.3) is never
    /// hard: the reporting server is still trying.
    public init(address: String, status: String?, diagnostic: String?, words: String? = nil, notice: String, action: String = "failed") {
        let reason = BounceReason.classify(status: status, diagnostic: words ?? diagnostic ?? "", notice: notice, action: action)
        self.init(address: address, status: status, hard: !action.hasPrefix("delayed") && reason.isHard(status: status), reason: reason, diagnostic: diagnostic)
    }

    /// A recipient with everything given.
    public init(address: String, status: String?, hard: Bool, reason: BounceReason, diagnostic: String?) {
        self.address = address
        self.status = status
        self.hard = hard
        self.reason = reason
        self.diagnostic = diagnostic
    }
}

/// What kind of mail arrived.
public enum MailKind: Hashable, Sendable {
    /// A person's message.
    case reply
    /// An RFC 3834 automatic reply (out of office, vacation).
    case autoReply
    /// A delivery-status notification.
    case bounce([BouncedRecipient])
    /// An abuse/feedback report (RFC 5965): the recipient complained.
    case feedback(type: String, recipients: [String])

    /// `reply`, `auto_reply`, `bounce` or `feedback`.
    public var name: String {
        switch self {
        case .reply: return "reply"
        case .autoReply: return "auto_reply"
        case .bounce: return "bounce"
        case .feedback: return "feedback"
        }
    }
}

/// Tells people's mail from automatic mail: bounces (RFC 3464 and the common non-standard forms),
/// feedback reports (RFC 5965) and auto-replies (RFC 3834, Exchange and the usual subjects).
public enum MailClassifier {
    /// Classifies `m`.
    public static func classify(_ m: MailMessage) -> MailKind {
        let parts = m.root.flattened
        let reportType = m.root.contentType.parameters["report-type"]?.lowercased()
        let subject = (m.subject ?? "").lowercased()
        let returned = parts.contains { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }
        if reportType == "feedback-report" || parts.contains(where: { $0.mediaType == "message/feedback-report" })
            || (returned && (subject.contains("complaint") || subject.contains("abuse report")))
        {
            return feedback(m, parts)
        }
        if reportType == "delivery-status"
            || parts.contains(where: { $0.mediaType == "message/delivery-status" || $0.mediaType == "message/global-delivery-status" })
        {
            let recipients = dsnRecipients(parts, body: m.leadingText)
            if !recipients.isEmpty { return .bounce(gatewayAware(recipients, m)) }
        }
        if let ses = amazonSES(m) { return .bounce(ses) }
        if let refusal = listRefusal(m) { return .bounce([refusal]) }
        if looksLikeBounce(m) {
            // A report whose MIME headers were lost still carries its status fields as text.
            if m.leadingText.contains("Final-Recipient:") {
                let list = dsnRecipients(fields: m.leadingText, body: m.leadingText)
                if !list.isEmpty { return .bounce(gatewayAware(list, m)) }
            }
            var list = textRecipients(m)
            // Exim names the failed addresses in a header.
            let failed = m.headers.all("X-Failed-Recipients").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
            if let first = failed.first, list.first?.address != first {
                let status = list.first?.status ?? statusCode(in: m.leadingText) ?? impliedStatus(m.leadingText, action: "failed")
                list = [BouncedRecipient(address: first, status: status, diagnostic: nil, words: list.first?.diagnostic, notice: evidence(m.leadingText))]
            }
            // A gateway's notice that only forwards the real bounce (InterScan and the like): the
            // enclosed bounce says what happened.
            if list.first.map({ $0.reason == .undetermined }) ?? true {
                for part in m.root.flattened where part.mediaType == "message/rfc822" {
                    guard let inner = part.parts.first else { continue }
                    let enclosed = MailMessage(raw: [], root: inner, problems: [])
                    guard
                        looksLikeBounce(enclosed) || inner.flattened.contains(where: { $0.mediaType == "message/delivery-status" })
                            || enclosed.leadingText.contains("permanent fatal errors")
                    else { continue }
                    let found =
                        inner.flattened.contains(where: { $0.mediaType == "message/delivery-status" })
                        ? dsnRecipients(inner.flattened, body: enclosed.leadingText) : textRecipients(enclosed, enclosed: true)
                    if let r = found.first(where: { $0.address == list.first?.address }) ?? (list.isEmpty ? found.first : nil) { list = [r]; break }
                }
            }
            // Nothing names the recipient: the returned message's To does.
            if list.isEmpty, let original = m.root.flattened.first(where: { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }) {
                let headers =
                    original.parts.first?.headers ?? MailHeaders.parse(original.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline))
                let text = evidence(m.leadingText)
                list = headers.all("To").flatMap { Addresses.parse($0).map(\.address) }.prefix(1).map {
                    BouncedRecipient(address: $0.lowercased(), status: impliedStatus(text, action: "failed"), diagnostic: nil, notice: text)
                }
            }
            return .bounce(gatewayAware(list, m))
        }
        // Apple Mail's unsubscribe button mails the List-Unsubscribe address on the user's behalf.
        if m.headers["X-Apple-Unsubscribe"]?.lowercased() == "true", let from = m.fromAddress { return .feedback(type: "opt-out", recipients: [from]) }
        if isAutoReply(m) { return .autoReply }
        return .reply
    }

    /// A mailing list manager refusing a post from a non-member (fml, ezmlm, Mailman): the list
    /// address bounced us, though it exists.
    static func listRefusal(_ m: MailMessage) -> BouncedRecipient? {
        let h = m.headers
        guard h["X-MLServer"] != nil || h["List-Id"] != nil || h["Mailing-List"] != nil || h["X-Mailman-Version"] != nil else { return nil }
        let text = ((m.subject ?? "") + "\n" + m.leadingText).lowercased()
        guard ["not a member", "are not member", "not member of", "members only", "post by non-member"].contains(where: text.contains) else { return nil }
        let list =
            m.leadingText.split(whereSeparator: { " <>()\"'\t\r\n".contains($0) }).first { $0.contains("@") && $0.contains(".") }
            .map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,;:")) } ?? m.fromAddress ?? ""
        return BouncedRecipient(address: list, status: "5.7.1", hard: false, reason: .senderRejected, diagnostic: m.subject)
    }

    /// Content-filtering gateways (McAfee Email Gateway, MailFoundry, m-FILTER, ActiveHunter) answer for the
    /// servers behind them after reading the message: an "unknown user" from one, without a x.1.1
    /// code, is their filter's verdict, not the mailbox's.
    static func gatewayAware(_ list: [BouncedRecipient], _ m: MailMessage) -> [BouncedRecipient] {
        let h = m.headers
        let gateway =
            h["X-NAI-Header"]?.contains("McAfee") == true || (h["X-Mailer"] ?? "").contains("m-FILTER")
            || h.all("Received").contains { $0.contains("(MAILFOUNDRY)") } || h["X-AHMailID"] != nil
        guard gateway else { return list }
        return list.map { r in
            guard r.reason == .userUnknown, !(r.status ?? "").hasPrefix("5.1.1") else { return r }
            return BouncedRecipient(address: r.address, status: r.status, hard: false, reason: .filtered, diagnostic: r.diagnostic)
        }
    }

    // MARK: Feedback

    static func feedback(_ m: MailMessage, _ parts: [MIMEPart]) -> MailKind {
        var type = "abuse"
        var recipients: [String] = []
        if let report = parts.first(where: { $0.mediaType == "message/feedback-report" }) {
            let fields = MailHeaders.parse(report.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline))
            type = fields["Feedback-Type"]?.lowercased() ?? type
            recipients += fields.all("Original-Rcpt-To").flatMap { Addresses.parse($0).map(\.address) }
        }
        if recipients.isEmpty, let original = parts.first(where: { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }) {
            let headers = original.parts.first?.headers ?? MailHeaders.parse(original.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline))
            recipients = headers.all("To").flatMap { Addresses.parse($0).map(\.address) }
        }
        return .feedback(type: type, recipients: recipients)
    }

    // MARK: Bounces

    /// Per-recipient blocks of a message/delivery-status part.
    static func dsnRecipients(_ parts: [MIMEPart], body: String = "") -> [BouncedRecipient] {
        parts.filter { $0.mediaType == "message/delivery-status" || $0.mediaType == "message/global-delivery-status" }
            .flatMap { dsnRecipients(fields: $0.text, body: body) }
    }

    /// Per-recipient blocks of delivery-status fields in `text`.
    static func dsnRecipients(fields text: String, body: String) -> [BouncedRecipient] {
        var out: [BouncedRecipient] = []
        do {
            let text = text.replacingOccurrences(of: "\r\n", with: "\n")
            for block in text.components(separatedBy: "\n\n") {
                let fields = MailHeaders.parse(block.split(separator: "\n").map(Substring.init))
                guard let recipient = fields["Final-Recipient"] ?? fields["Original-Recipient"] else { continue }
                let address =
                    recipient.split(separator: ";").last.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() }?
                    .trimmingCharacters(in: CharacterSet(charactersIn: "<>")) ?? ""
                guard address.contains("@") else { continue }
                let action = fields["Action"]?.lowercased() ?? "failed"
                guard action.hasPrefix("failed") || action.hasPrefix("delayed") else { continue }
                var status = fields["Status"]?.split(separator: " ").first.map(String.init)
                let diagnostic = fields["Diagnostic-Code"]
                // The server's own code beats a generic Status, and a failed delivery whose server
                // said 5xx is permanent whatever the relay's Status claims.
                if let diag = diagnostic, let better = preferredStatus(in: diag),
                    status == nil || status!.hasSuffix(".0.0") || (action.hasPrefix("failed") && status!.first == "4" && better.first == "5")
                {
                    status = better
                }
                if status == nil || status?.isEmpty == true { status = impliedStatus(diagnostic ?? "", action: action) }
                out.append(BouncedRecipient(address: address, status: status, diagnostic: diagnostic, notice: evidence(body), action: action))
            }
        }
        return out
    }

    static let bounceSubjects = [
        "undeliver", "delivery status notification", "delivery failure", "failure notice", "returned mail",
        "mail delivery failed", "delivery has failed", "non remis", "unzustellbar", "no se puede entregar",
        "mail system error", "delivery problem", "could not be delivered", "rejected", "nondeliverable", "message not delivered",
        "failure", "failed", "returned", "delayed", "warning: message",
    ]

    static func looksLikeBounce(_ m: MailMessage) -> Bool {
        let from = (m.headers["From"] ?? "").lowercased()
        let returnPath = (m.headers["Return-Path"] ?? "").trimmingCharacters(in: .whitespaces)
        let subject = (m.subject ?? "").lowercased()
        let daemon = from.contains("mailer-daemon") || from.contains("postmaster") || from.contains("mail delivery") || returnPath == "<>"
        let returned = m.root.flattened.contains { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }
        return daemon && (bounceSubjects.contains { subject.contains($0) } || statusCode(in: m.leadingText) != nil || returned)
            || (subject.hasPrefix("undeliverable:") || subject.contains("delivery status notification (failure)"))
    }

    /// Amazon SES bounce notifications (JSON in the body, often folded so that it no longer
    /// parses): the fields are read as text. `bounceType` Permanent is hard.
    static func amazonSES(_ m: MailMessage) -> [BouncedRecipient]? {
        let from = (m.headers["From"] ?? "").lowercased()
        guard from.contains("amazonses") || from.contains("sns.amazonaws.com") else { return nil }
        let body = m.leadingText.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
            .replacingOccurrences(of: " ", with: "")
        func values(_ key: String) -> [String] {
            var found: [String] = []
            var rest = Substring(body)
            while let r = rest.range(of: "\"\(key)\":\"") {
                let after = rest[r.upperBound...]
                guard let close = after.firstIndex(of: "\"") else { break }
                found.append(String(after[..<close]))
                rest = after[close...]
            }
            return found
        }
        let type = values("notificationType").first?.lowercased()
        guard type == "bounce" || type == "delivery" else { return nil }
        if type == "delivery" {
            let status = values("smtpResponse").first.flatMap(statusCode(in:)) ?? "2.0.0"
            var recipients: [String] = []
            if let r = body.range(of: "\"recipients\":["), let close = body[r.upperBound...].firstIndex(of: "]") {
                recipients = body[r.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return recipients.map {
                BouncedRecipient(address: $0.lowercased(), status: status, hard: false, reason: .delivered, diagnostic: nil)
            }
        }
        let permanent = values("bounceType").first?.lowercased() == "permanent"
        let subtype = values("bounceSubType").first?.lowercased() ?? ""
        let statuses = values("status")
        let diagnostics = values("diagnosticCode")
        return values("emailAddress").enumerated().map { i, address in
            let diagnostic = i < diagnostics.count ? diagnostics[i] : nil
            var status = i < statuses.count ? statuses[i] : (permanent ? "5.0.0" : "4.0.0")
            if let d = diagnostic, let better = preferredStatus(in: d), status.hasSuffix(".0.0") || better != status { status = better }
            // SES names the kind when the server's words are missing.
            let implied =
                [
                    "noemail": "user unknown", "mailboxfull": "mailbox full", "messagetoolarge": "message too large",
                    "contentrejected": "as spam", "attachmentrejected": "virus",
                ][subtype] ?? ""
            return BouncedRecipient(
                address: address.lowercased(), status: status, diagnostic: diagnostic, notice: implied,
                action: permanent ? "failed" : "delayed")
        }
    }

    /// Recipients and codes from a bounce written as text only. The lines from the first failed
    /// address to the next address heading are what the server said about it.
    static func textRecipients(_ m: MailMessage, enclosed: Bool = false) -> [BouncedRecipient] {
        let text = evidence(m.leadingText)
        // The notice's own addresses are not failed recipients — except an enclosed bounce's To,
        // which is the failed address as forwarded.
        let own = Set([m.fromAddress ?? ""] + (enclosed ? [] : m.recipientAddresses))
        // The reporting host's own domains: its postmaster is not a failed recipient.
        let reporter = [m.fromAddress, m.messageID].compactMap { $0?.split(separator: "@").last.map { String($0).lowercased() } }
        // "\r\n" is one Character: split on newlines, not on "\n".
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        func addresses(_ line: Substring) -> [String] {
            let lower = line.lowercased()
            if lower.contains("please contact") || lower.contains("please send mail to") || lower.contains("for further assistance") { return [] }
            return line.split(whereSeparator: { " <>:;,()\"'\t".contains($0) }).filter { $0.contains("@") && $0.contains(".") }.map {
                $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".[]"))
            }.filter { a in
                let domain = a.split(separator: "@").last.map(String.init) ?? ""
                let reporting = reporter.contains { $0 == domain || $0.hasSuffix("." + domain) || domain.hasSuffix("." + $0) }
                return !own.contains(a) && !a.hasPrefix("mailer-daemon") && !(a.hasPrefix("postmaster@") && reporting)
            }
        }
        // A line that is only an address ("<a@b>:", "a@b:") is a recipient heading, even when the
        // address is also the notice's own (anonymised reports do that).
        func heading(_ line: Substring) -> String? {
            let t = line.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "<>:"))
            guard t.contains("@"), !t.contains(" "), !t.hasPrefix("mailer-daemon") else { return nil }
            return t.lowercased()
        }
        let first = lines.firstIndex(where: { !addresses($0).isEmpty })
        let head = lines.firstIndex(where: { heading($0) != nil && $0.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(":") })
        let start: Int
        let address: String
        if let h = head, first.map({ h < $0 }) ?? true, let a = heading(lines[h]) {
            (start, address) = (h, a)
        } else if let f = first, let a = addresses(lines[f]).first {
            (start, address) = (f, a)
        } else {
            return []
        }
        var end = start + 1
        while end < lines.count {
            let line = lines[end].trimmingCharacters(in: .whitespacesAndNewlines)
            // Another recipient's heading ("<b@x>:" or the address alone) starts its own block.
            let heading = (line.hasPrefix("<") && (line.hasSuffix(">:") || line.hasSuffix(">"))) || (line.contains("@") && !line.contains(" "))
            if heading, let other = addresses(Substring(line)).first, other != address { break }
            end += 1
        }
        let block = lines[start..<end].joined(separator: "\n")
        let status = preferredStatus(in: block) ?? preferredStatus(in: text) ?? impliedStatus(block, action: "failed")
        let said = block.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.joined(
            separator: " ")
        return [BouncedRecipient(address: address, status: status, diagnostic: String(said.prefix(500)), notice: text)]
    }

    /// The first RFC 3463 status in `text` (`5.1.1`), or one implied by a bare SMTP code (`550` → `5.0.0`).
    static func statusCode(in text: String) -> String? {
        let b = Array(text.utf8)
        var i = 0
        while i + 4 < b.count {
            if (b[i] == 52 || b[i] == 53 || b[i] == 50), b[i + 1] == 46, (i == 0 || !(b[i - 1] >= 48 && b[i - 1] <= 57) && b[i - 1] != 46) {
                var j = i + 2
                var d1 = 0
                while j < b.count && b[j] >= 48 && b[j] <= 57 && d1 < 3 { j += 1; d1 += 1 }
                if d1 > 0, j < b.count, b[j] == 46 {
                    var k = j + 1
                    var d2 = 0
                    while k < b.count && b[k] >= 48 && b[k] <= 57 && d2 < 3 { k += 1; d2 += 1 }
                    if d2 > 0 && (k >= b.count || !(b[k] >= 48 && b[k] <= 57) && b[k] != 46) {
                        return String(decoding: b[i..<k], as: UTF8.self)
                    }
                }
            }
            i += 1
        }
        return nil
    }

    /// A status for a bounce that states none: from a bare SMTP reply code (`550` → `5.0.0`), else
    /// from its words (retrying → `4.0.0`), else a permanent failure.
    static func impliedStatus(_ text: String, action: String) -> String {
        if action.hasPrefix("delayed") { return "4.0.0" }
        let b = Array(text.utf8)
        var i = 0
        while i + 3 <= b.count {
            if (b[i] == 52 || b[i] == 53), b[i + 1] >= 48 && b[i + 1] <= 57, b[i + 2] >= 48 && b[i + 2] <= 57,
                i == 0 || !(b[i - 1] >= 48 && b[i - 1] <= 57), i + 3 == b.count || b[i + 3] == 32 || b[i + 3] == 45
            {
                return "\(Character(UnicodeScalar(b[i]))).0.0"
            }
            i += 1
        }
        let t = text.lowercased()
        if ["will retry", "will be retried", "temporar", "delayed", "try again later", "still trying"].contains(where: t.contains) { return "4.0.0" }
        // Exim's "retry timeout exceeded": every attempt failed temporarily until the retry
        // period ran out (RFC 3463 4.4.7).
        if let r = t.range(of: "retry timeout exceeded"), !t[..<r.lowerBound].hasSuffix("delivery ") { return "4.4.7" }
        return "5.0.0"
    }

    /// The status a server gave with its reply code (`550 5.7.1`, `550-'5.2.2`), which is the
    /// real one when relays wrap it in their own (`5.1.0 - Unknown address error 550-'5.2.2 …`);
    /// else the first status in the text.
    static func preferredStatus(in text: String) -> String? {
        var rest = Substring(text)
        while let found = statusCode(in: String(rest)), let r = rest.range(of: found) {
            let before = rest[..<r.lowerBound].suffix(5)
            let code = before.drop(while: { !$0.isNumber })
            if code.count >= 4, code.prefix(3).allSatisfy(\.isNumber), code.first == found.first { return found }
            rest = rest[r.upperBound...]
        }
        return statusCode(in: text)
    }

    /// The part of a notice that speaks about the failure: the returned message, which often
    /// follows inline (headers with "spam" and "spf" in them), is cut off.
    static func evidence(_ body: String) -> String {
        var end = body.endIndex
        for marker in [
            "\nreceived: ", "\nreturn-path: ", "\ndkim-signature: ", "this is a copy of the message", "below this line is a copy",
            "original message follows", "----- original message", "------ original message", "--- original message",
        ] {
            if let r = body.range(of: marker, options: .caseInsensitive), r.lowerBound < end { end = r.lowerBound }
        }
        return String(body[..<end])
    }

    // MARK: Auto-replies

    static let autoSubjects = [
        "out of office", "out of the office", "automatic reply", "auto reply", "autoreply", "auto-reply", "away from",
        "on vacation", "vacation reply", "abwesenheit", "réponse automatique", "reponse automatique", "respuesta automática",
        "respuesta automatica", "fuera de la oficina", "absence du bureau", "automatische antwort",
    ]

    static func isAutoReply(_ m: MailMessage) -> Bool {
        let h = m.headers
        if let auto = h["Auto-Submitted"]?.lowercased(), !auto.hasPrefix("no") { return true }
        if h["X-Autoreply"] != nil || h["X-Autorespond"] != nil || h["X-Autoresponse"] != nil { return true }
        if let p = h["Precedence"]?.lowercased(), p.contains("auto_reply") { return true }
        let subject = (m.subject ?? "").lowercased()
        if subject.hasPrefix("auto:") || autoSubjects.contains(where: { subject.contains($0) }) { return true }
        if let suppress = h["X-Auto-Response-Suppress"]?.lowercased(), suppress.contains("oof") || suppress.contains("all"),
            subject.contains("automatic") || h["X-MS-Exchange-Inbox-Rules-Loop"] != nil
        {
            return true
        }
        return false
    }
}

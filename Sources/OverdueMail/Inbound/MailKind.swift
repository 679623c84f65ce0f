import Foundation

/// A failed (or delayed) recipient in a bounce.
public struct BouncedRecipient: Hashable, Sendable, Codable {
    /// The address.
    public var address: String
    /// RFC 3463 status (`5.1.1`), when one was found.
    public var status: String?
    /// Whether the address itself is bad: the message can never be delivered to it.
    public var hard: Bool
    /// The server's words (Diagnostic-Code or the line that said it).
    public var diagnostic: String?
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
        if reportType == "feedback-report" || parts.contains(where: { $0.mediaType == "message/feedback-report" }) ||
            (returned && (subject.contains("complaint") || subject.contains("abuse report"))) {
            return feedback(m, parts)
        }
        if reportType == "delivery-status" || parts.contains(where: { $0.mediaType == "message/delivery-status" || $0.mediaType == "message/global-delivery-status" }) {
            let recipients = dsnRecipients(parts, body: m.textBody)
            if !recipients.isEmpty { return .bounce(recipients) }
        }
        if let ses = amazonSES(m) { return .bounce(ses) }
        if looksLikeBounce(m) {
            var list = textRecipients(m)
            // Exim names the failed addresses in a header.
            let failed = m.headers.all("X-Failed-Recipients").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
            if let first = failed.first, list.first?.address != first {
                let status = list.first?.status ?? statusCode(in: m.textBody) ?? impliedStatus(m.textBody, action: "failed")
                list = [BouncedRecipient(address: first, status: status, hard: isHard(status: status, action: "failed", diagnostic: m.textBody), diagnostic: nil)]
            }
            return .bounce(list)
        }
        if isAutoReply(m) { return .autoReply }
        return .reply
    }

    // MARK: Feedback

    static func feedback(_ m: MailMessage, _ parts: [MIMEPart]) -> MailKind {
        var type = "abuse"
        var recipients: [String] = []
        if let report = parts.first(where: { $0.mediaType == "message/feedback-report" }) {
            let fields = MailHeaders.parse(report.text.split(separator: "\n", omittingEmptySubsequences: false).map { Substring($0.trimmingCharacters(in: .init(charactersIn: "\r"))) })
            type = fields["Feedback-Type"]?.lowercased() ?? type
            recipients += fields.all("Original-Rcpt-To").flatMap { Addresses.parse($0).map(\.address) }
        }
        if recipients.isEmpty, let original = parts.first(where: { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }) {
            let headers = original.parts.first?.headers ?? MailHeaders.parse(original.text.split(separator: "\n").map { Substring($0.trimmingCharacters(in: .init(charactersIn: "\r"))) })
            recipients = headers.all("To").flatMap { Addresses.parse($0).map(\.address) }
        }
        return .feedback(type: type, recipients: recipients)
    }

    // MARK: Bounces

    /// Per-recipient blocks of a message/delivery-status part.
    static func dsnRecipients(_ parts: [MIMEPart], body: String = "") -> [BouncedRecipient] {
        var out: [BouncedRecipient] = []
        for part in parts where part.mediaType == "message/delivery-status" || part.mediaType == "message/global-delivery-status" {
            let text = part.text.replacingOccurrences(of: "\r\n", with: "\n")
            for block in text.components(separatedBy: "\n\n") {
                let fields = MailHeaders.parse(block.split(separator: "\n").map(Substring.init))
                guard let recipient = fields["Final-Recipient"] ?? fields["Original-Recipient"] else { continue }
                let address = recipient.split(separator: ";").last.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() }?
                    .trimmingCharacters(in: CharacterSet(charactersIn: "<>")) ?? ""
                guard address.contains("@") else { continue }
                let action = fields["Action"]?.lowercased() ?? "failed"
                guard action.hasPrefix("failed") || action.hasPrefix("delayed") else { continue }
                var status = fields["Status"]?.split(separator: " ").first.map(String.init)
                let diagnostic = fields["Diagnostic-Code"]
                if let diag = diagnostic, let better = statusCode(in: diag), status == nil || status!.hasSuffix(".0.0") { status = better }
                if status == nil || status?.isEmpty == true { status = impliedStatus(diagnostic ?? "", action: action) }
                let evidence = (status ?? "").hasSuffix(".0.0") ? (diagnostic ?? "") + "\n" + body : (diagnostic ?? "")
                out.append(BouncedRecipient(address: address, status: status, hard: isHard(status: status, action: action, diagnostic: evidence),
                                            diagnostic: diagnostic))
            }
        }
        return out
    }

    static let bounceSubjects = ["undeliver", "delivery status notification", "delivery failure", "failure notice", "returned mail",
                                 "mail delivery failed", "delivery has failed", "non remis", "unzustellbar", "no se puede entregar",
                                 "mail system error", "delivery problem", "could not be delivered", "rejected", "nondeliverable", "message not delivered",
                                 "failure", "failed", "returned", "delayed", "warning: message"]

    static func looksLikeBounce(_ m: MailMessage) -> Bool {
        let from = (m.headers["From"] ?? "").lowercased()
        let returnPath = (m.headers["Return-Path"] ?? "").trimmingCharacters(in: .whitespaces)
        let subject = (m.subject ?? "").lowercased()
        let daemon = from.contains("mailer-daemon") || from.contains("postmaster") || from.contains("mail delivery") || returnPath == "<>"
        let returned = m.root.flattened.contains { $0.mediaType == "message/rfc822" || $0.mediaType == "text/rfc822-headers" }
        return daemon && (bounceSubjects.contains { subject.contains($0) } || statusCode(in: m.textBody) != nil || returned) ||
            (subject.hasPrefix("undeliverable:") || subject.contains("delivery status notification (failure)"))
    }

    /// Amazon SES bounce notifications (JSON in the body, often folded so that it no longer
    /// parses): the fields are read as text. `bounceType` Permanent is hard.
    static func amazonSES(_ m: MailMessage) -> [BouncedRecipient]? {
        let from = (m.headers["From"] ?? "").lowercased()
        guard from.contains("amazonses") || from.contains("sns.amazonaws.com") else { return nil }
        let body = m.textBody.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
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
        guard values("notificationType").first?.lowercased() == "bounce" else { return nil }
        let permanent = values("bounceType").first?.lowercased() == "permanent"
        let statuses = values("status")
        let diagnostics = values("diagnosticCode")
        return values("emailAddress").enumerated().map { i, address in
            let diagnostic = i < diagnostics.count ? diagnostics[i] : nil
            let status = i < statuses.count ? statuses[i] : (permanent ? "5.0.0" : "4.0.0")
            return BouncedRecipient(address: address.lowercased(), status: status,
                                    hard: permanent && isHard(status: status, action: "failed", diagnostic: diagnostic ?? "user unknown"), diagnostic: diagnostic)
        }
    }

    /// Recipients and codes from a bounce written as text only.
    static func textRecipients(_ m: MailMessage) -> [BouncedRecipient] {
        let body = m.textBody
        let own = Set([m.fromAddress ?? ""] + m.recipientAddresses)
        var found: [String] = []
        for line in body.split(separator: "\n") where line.contains("@") {
            for word in line.split(whereSeparator: { " <>:;,()\"'\t".contains($0) }) where word.contains("@") && word.contains(".") {
                let a = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".[]"))
                if !own.contains(a) && !a.hasPrefix("mailer-daemon") && !a.hasPrefix("postmaster") && !found.contains(a) { found.append(a) }
            }
            if !found.isEmpty { break }
        }
        let status = statusCode(in: body) ?? impliedStatus(body, action: "failed")
        let hard = isHard(status: status, action: "failed", diagnostic: body)
        return found.prefix(1).map { BouncedRecipient(address: $0, status: status, hard: hard, diagnostic: nil) }
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
               i == 0 || !(b[i - 1] >= 48 && b[i - 1] <= 57), i + 3 == b.count || b[i + 3] == 32 || b[i + 3] == 45 {
                return "\(Character(UnicodeScalar(b[i]))).0.0"
            }
            i += 1
        }
        let t = text.lowercased()
        if ["will retry", "will be retried", "temporar", "delayed", "try again later", "still trying"].contains(where: t.contains) { return "4.0.0" }
        return "5.0.0"
    }

    /// Hard: the address can never receive mail (unknown user or domain, moved, disabled). Mailbox
    /// full, policy and content refusals, and temporary failures are soft.
    static func isHard(status: String?, action: String, diagnostic: String?) -> Bool {
        if action.hasPrefix("delayed") { return false }
        let d = (diagnostic ?? "").lowercased()
        let unknown = ["user unknown", "unknown user", "no such user", "does not exist", "mailbox unavailable", "recipient address rejected",
                       "invalid recipient", "no mailbox", "unknown recipient", "address unknown", "host not found", "domain not found",
                       "name or service not known", "no such domain", "mailbox not found", "account disabled", "account has been disabled",
                       "not listed in", "invalid final delivery", "host unknown", "unknown host", "address not found", "user not found",
                       "dns lookup failure", "may not exist", "no such recipient", "recipient not found", "addressee unknown", "unknown address"]
        guard let status, let cls = status.first else { return unknown.contains { d.contains($0) } }
        guard cls == "5" else { return false }
        let sub = status.split(separator: ".").dropFirst().map(String.init)
        if sub.first == "1" { return ["1", "2", "3", "6", "10"].contains(sub.count > 1 ? sub[1] : "") || unknown.contains { d.contains($0) } }
        // Mailbox state (full, disabled, over quota) and policy refusals may change: soft.
        if sub.first == "2" || sub.first == "7" || sub.first == "3" { return false }
        if sub.first == "4" && sub.count > 1 && sub[1] == "4" { return true }
        return unknown.contains { d.contains($0) }
    }

    // MARK: Auto-replies

    static let autoSubjects = ["out of office", "out of the office", "automatic reply", "auto reply", "autoreply", "auto-reply", "away from",
                               "on vacation", "vacation reply", "abwesenheit", "réponse automatique", "reponse automatique", "respuesta automática",
                               "respuesta automatica", "fuera de la oficina", "absence du bureau", "automatische antwort"]

    static func isAutoReply(_ m: MailMessage) -> Bool {
        let h = m.headers
        if let auto = h["Auto-Submitted"]?.lowercased(), !auto.hasPrefix("no") { return true }
        if h["X-Autoreply"] != nil || h["X-Autorespond"] != nil || h["X-Autoresponse"] != nil { return true }
        if let p = h["Precedence"]?.lowercased(), p.contains("auto_reply") { return true }
        let subject = (m.subject ?? "").lowercased()
        if subject.hasPrefix("auto:") || autoSubjects.contains(where: { subject.contains($0) }) { return true }
        if let suppress = h["X-Auto-Response-Suppress"]?.lowercased(), suppress.contains("oof") || suppress.contains("all"),
           subject.contains("automatic") || h["X-MS-Exchange-Inbox-Rules-Loop"] != nil {
            return true
        }
        return false
    }
}

import Foundation

/// Why a message bounced, in the terms a sender acts on. Only the first three (and
/// `notAccepting` when permanent) say the address itself is dead; every other reason is about the
/// message, the sender, or the moment, and a later attempt may well be delivered.
public enum BounceReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The mailbox does not exist.
    case userUnknown = "user_unknown"
    /// The domain does not exist or has no mail server.
    case hostUnknown = "host_unknown"
    /// The recipient has moved to another address.
    case moved
    /// The domain accepts no mail at all (null MX, RFC 7505; "not accepting network messages").
    case notAccepting = "not_accepting"
    /// The mailbox is over quota.
    case mailboxFull = "mailbox_full"
    /// The mailbox exists but is disabled or suspended.
    case suspended
    /// The recipient's own rules refused the message — including an "unknown user" said only after
    /// the message was sent (after DATA) or without saying when, which filters commonly answer.
    case filtered
    /// Our sender address or domain was refused, or we may not post there.
    case senderRejected = "sender_rejected"
    /// Our server was refused for its reputation: block lists, reverse DNS.
    case blocked
    /// The content was judged spam or malware.
    case spam
    /// Another policy refusal (authentication: SPF, DKIM, DMARC; content rules).
    case policy
    /// The message is too large.
    case tooLarge = "too_large"
    /// We sent too much, too fast.
    case rateLimited = "rate_limited"
    /// The server refused to relay.
    case relayDenied = "relay_denied"
    /// Delivery was retried until the queue gave up.
    case expired
    /// Connection or routing trouble.
    case network
    /// The receiving system failed or is full.
    case system
    /// The final delivery program failed (procmail and the like).
    case mailerError = "mailer_error"
    /// A success notice (status 2.x.x), not a failure.
    case delivered
    /// Nothing more specific could be told.
    case undetermined

    /// Whether a bounce for this reason means the address can never receive mail.
    public func isHard(status: String?) -> Bool {
        switch self {
        case .userUnknown, .moved: return true
        // A domain that does not resolve *now* may be a DNS outage: only a permanent failure counts.
        case .hostUnknown, .notAccepting: return status?.first != "4"
        default: return false
        }
    }

    /// The SMTP command a refusal answered, when the bounce tells.
    public enum Phase: Sendable, Equatable {
        case connect, mailFrom, rcptTo, data
    }

    /// The reason for one failed recipient from its status (RFC 3463), the server's words about it
    /// (`diagnostic`) and the rest of the notice, in that order of trust: the server's words beat a
    /// code, and a specific code beats the notice's general text. An "unknown user" said after DATA
    /// is a filter's answer as often as not: it counts as `filtered`, which keeps a real address alive.
    public static func classify(status: String?, diagnostic: String, notice: String = "", action: String = "failed") -> BounceReason {
        if let status, status.first == "2" { return .delivered }
        let d = normalise(diagnostic), n = normalise(notice)
        let phase = phase(in: d + " " + n)
        let detail = status.map { $0.split(separator: ".").dropFirst().map(String.init) } ?? []
        let subject = detail.first ?? "0", det = detail.count > 1 ? detail[1] : "0"
        let byCode = code(subject, det)
        if var r = words(d, phase: phase) {
            // x.1.1 names the mailbox as unknown, whenever the server said it.
            if r == .filtered && byCode == .userUnknown && !contains(d, filterWords) { r = .userUnknown }
            // An "unknown user" with a policy code (5.7.x), not tied to RCPT, is a filter's refusal.
            if r == .userUnknown && subject == "7" && phase != .rcptTo { r = .filtered }
            return r
        }
        if let r = byCode ?? words(n, phase: phase) { return r }
        if phase == .mailFrom { return .senderRejected }
        if contains(d + " " + n, expiredWords) || action.hasPrefix("delayed") { return .expired }
        switch subject {
        case "2", "3", "5": return .system
        case "4": return .network
        case "6", "7": return .policy
        default: return .undetermined
        }
    }

    /// The reason a text states, if it states one.
    static func words(_ t: String, phase: Phase?) -> BounceReason? {
        guard !t.isEmpty else { return nil }
        if contains(t, mailerErrorWords) { return .mailerError }
        if contains(t, fullWords) { return .mailboxFull }
        if contains(t, largeWords) { return .tooLarge }
        if contains(t, suspendedWords) { return .suspended }
        if contains(t, movedWords) { return .moved }
        if contains(t, relayWords) { return .relayDenied }
        if contains(t, rateWords) { return .rateLimited }
        if contains(t, filterWords) { return .filtered }
        if contains(t, hostUnknownWords) { return contains(t, ["not found, try again", "try again later", "temporary failure", "timed out", "no relevant answer"]) ? .network : .hostUnknown }
        if contains(t, blockedWords) { return .blocked }
        if contains(t, spamWords) { return .spam }
        if contains(t, authentication) { return .policy }
        if contains(t, senderWords) { return .senderRejected }
        if contains(t, notAcceptingWords) { return .notAccepting }
        if contains(t, userUnknownWords) {
            switch phase {
            case .data: return .filtered
            case .mailFrom: return .senderRejected
            default: return .userUnknown
            }
        }
        return nil
    }

    /// The reason a specific status code (RFC 3463) names, if it names one.
    static func code(_ subject: String, _ detail: String) -> BounceReason? {
        switch (subject, detail) {
        case ("1", "1"), ("1", "3"): return .userUnknown
        case ("1", "2"): return .hostUnknown
        case ("1", "6"): return .moved
        case ("1", "10"): return .notAccepting
        case ("1", "7"), ("1", "8"): return .senderRejected
        case ("2", "1"): return .suspended
        case ("2", "2"): return .mailboxFull
        case ("2", "3"), ("3", "4"): return .tooLarge
        case ("3", "2"): return .notAccepting
        case ("4", "4"): return .hostUnknown
        case ("4", "7"): return .expired
        case ("7", "1"): return .blocked
        default: return nil
        }
    }

    /// The command a refusal answered: Postfix's "(in reply to RCPT TO command)", Exim's "after
    /// RCPT TO", or the last `>>>` command before the first `<<< 4xx/5xx` of a Sendmail transcript.
    static func phase(in t: String) -> Phase? {
        for (words, phase) in [(["in reply to rcpt to", "after rcpt to", "[rcpt_to]", "rcpt to command", "rcpt to response"], Phase.rcptTo),
                               (["in reply to end of data", "in reply to data", "after end of data", "after data", "[data]"], .data),
                               (["in reply to mail from", "after mail from", "[mail_from]"], .mailFrom)] where contains(t, words) {
            return phase
        }
        var last: Phase?
        var rest = Substring(t)
        while let r = rest.range(of: ">>> ") {
            let after = rest[r.upperBound...]
            if after.hasPrefix("rcpt") { last = .rcptTo } else if after.hasPrefix("data") { last = .data } else if after.hasPrefix("mail") { last = .mailFrom }
            else if after.hasPrefix("ehlo") || after.hasPrefix("helo") { last = .connect }
            let next = after.range(of: ">>> ").map { after[..<$0.lowerBound] } ?? after
            if next.contains("<<< 5") || next.contains("<<< 4") {
                // Pipelined: RCPT and DATA went together, and the server refused the recipient
                // before answering DATA with "need RCPT".
                if last == .data && (next.contains("<<< 503") || next.contains("need rcpt") || next.contains("no valid recipients")) { return .rcptTo }
                return last
            }
            rest = after
        }
        return nil
    }

    static func normalise(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            // Amazon SES wraps every remote refusal in this phrase; the remote's own words follow it.
            .replacingOccurrences(of: "unknown address error", with: "")
    }

    static func contains(_ t: String, _ words: [String]) -> Bool { words.contains { t.contains($0) } }

    static let mailerErrorWords = ["command output:", "x-unix;", "procmail:", "loops back to myself", "local delivery failed", "delivery to a pipe"]
    static let fullWords = ["mailbox full", "mailbox is full", "mailbox has exceeded", "over quota", "overquota", "quota exceeded", "exceeded storage",
                              "exceeds the storage", "insufficient storage", "mailbox size limit", "user is over", "disk quota", "storage quota",
                              "not enough storage", "mailfolder is full"]
    static let largeWords = ["message too large", "message is too large", "message size exceeds", "exceeds size limit", "size limit exceeded",
                           "message too big", "message exceeds the maximum size", "mail size limit", "message length exceeds",
                             "exceeds administrative limit"]
    static let suspendedWords = ["account has been disabled", "account is disabled", "account disabled", "disabled or discontinued", "has been suspended",
                            "account suspended", "is suspended", "mailbox is inactive", "account is inactive", "inactive account", "mailbox disabled",
                            "account has been frozen", "you tried to reach is disabled", "mailbox is disabled", "account is locked", "user account is unavailable", "recipient suspended"]
    static let movedWords = ["has moved", "address has changed", "no longer uses this address", "this address has been changed"]
    static let relayWords = ["relay access denied", "relaying denied", "relay not permitted", "not permitted to relay", "unable to relay",
                        "we do not relay", "relaying not allowed", "relay denied", "no relaying", "not a registered gateway user"]
    static let rateWords = ["too many recipients", "rate limit", "has sent too many", "sending rate", "too many messages", "exceeded the rate",
                       "too many connections", "too many errors", "try again later, closing connection"]
    static let filterWords = ["refused due to recipient preferences", "rejected due to user rules", "only accepting mail from specific",
                                  "blocked by the recipient", "recipient has blocked", "user reject", "refuse to receive mail",
                                  "not found recipient account"]
    static let blockedWords = ["blacklist", "blocklist", "block list", "black list", "spamhaus", "dnsbl", "spamcop", "sorbs", "barracuda",
                               "reverse dns", "ptr record", "rdns", "poor reputation", "bad reputation",
                               "client host rejected", "not accepting connections", "connection refused by", "ip address has been blocked",
                               "your ip", "banned sending ip", "has been temporarily rate limited due to ip"]
    static let spamWords = ["as spam", "spam detected", "spam message", "spam content", "likely spam", "spam score", "virus", "malware",
                            "junk mail", "unsolicited", "infected", "suspicious content"]
    static let authentication = ["spf check", "spf fail", "failed spf", "spf validation", "dkim fail", "failed dkim", "dmarc policy", "dmarc fail", "failed dmarc", "dmarc verification", "authentication required",
                                 "not authenticated", "unauthenticated", "security policy", "sender policy framework"]
    static let senderWords = ["sender address rejected", "domain of sender address", "sender verify failed", "sender domain", "you may not have permission",
                              "sender is not allowed", "sender rejected", "not allowed to send", "address rejected: sender"]
    static let notAcceptingWords = ["not accepting network messages", "does not accept mail", "accepts no mail", "null mx", "does not accept email"]
    static let hostUnknownWords = ["host not found", "domain not found", "name or service not known", "no such domain", "host unknown",
                                   "unknown host", "dns lookup failure", "domain is not reachable", "unrouteable", "unroutable",
                                   "no mx record", "domain does not exist", "mx lookup failed", "no valid mx", "domain name not found",
                                   "host or domain name not found", "illegal host/domain name", "dns error", "or domain may not exist"]
    static let userUnknownWords = ["user unknown", "unknown user", "no such user", "does not exist", "mailbox unavailable", "invalid recipient",
                                   "no mailbox", "unknown recipient", "address unknown", "mailbox not found", "not listed in",
                                   "invalid final delivery", "address not found", "user not found", "may not exist", "no such recipient",
                                   "recipient not found", "addressee unknown", "unknown address", "invalid mailbox", "mailbox does not exist",
                                   "doesn't have a", "does not have a", "no such mailbox", "bad destination", "not a valid recipient",
                                   "recipient address rejected", "email account that you tried to reach", "unknown local part",
                                   "undeliverable address", "not our customer", "no account by that name", "no valid recipients",
                                   "recipient name is not recognized", "address couldn't be found", "unknown user:"]
    static let expiredWords = ["retry timeout exceeded", "expired", "gave up", "too long in queue", "could not be delivered for",
                               "retry time not reached", "delivery time expired", "will not be retried", "have been failing for"]
}

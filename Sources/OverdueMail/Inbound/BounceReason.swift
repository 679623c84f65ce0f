import Foundation

/// Why a message bounced, in the terms a sender acts on. Only the first four say the address
/// itself is dead, and only in a permanent failure (status class 5); every other reason is about
/// the mailbox's state, the message, the sender or the moment, and a later attempt may well be
/// delivered.
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

    /// Whether a bounce for this reason means the address can never receive mail: the reason
    /// names the address itself (see `namesTheAddress`) and the failure is permanent. A status of
    /// class 4 is transient (RFC 3463 §3.1) whatever its subject says; a missing status counts as
    /// permanent, since only failed recipients ask.
    public func isHard(status: String?) -> Bool {
        guard let first = status?.first else { return namesTheAddress }
        return first == "5" && namesTheAddress
    }

    /// Whether the reason is about the address rather than the mailbox's state, the message, the
    /// sender or the moment: RFC 3463's addressing subject (X.1.1 bad mailbox, X.1.2 bad domain,
    /// X.1.3 bad syntax, X.1.6 moved, X.1.10 null MX) and RFC 7504's 521/556 "does not accept mail".
    var namesTheAddress: Bool {
        switch self {
        case .userUnknown, .hostUnknown, .moved, .notAccepting: return true
        default: return false
        }
    }

    /// The SMTP command a refusal answered, when the bounce tells.
    public enum Phase: Sendable, Equatable {
        case connect, mailFrom, rcptTo, data
    }

    /// The reason for one failed recipient from its status (RFC 3463), the server's words about it
    /// (`diagnostic`), the rest of the notice and the DSN action (RFC 3464).
    ///
    /// The rules, in order; each follows from a standard, and where two readings conflict the
    /// one that keeps the address alive wins, because a wrong "hard" loses a debtor's address for
    /// good while a wrong "soft" costs one more bounce:
    /// 1. A 2.X.X status or an action of delivered, relayed or expanded is no failure.
    /// 2. The server's words name a cause. Causes about the message, the sender, the mailbox's
    ///    state or the moment (full, too large, disabled, relaying, rate, greylisting, filters,
    ///    block lists, spam, authentication, sender) are looked for before causes about the address
    ///    (moved, unknown domain, null MX, unknown user): "recipient rejected: mailbox full" is a
    ///    full mailbox, and a 550 5.1.1 that says the mailbox is full is full too, because servers
    ///    send 5.1.1 as their default refusal while their words are specific.
    /// 3. Conflicts between those words and the code: an X.1.1 code outweighs a refusal after DATA
    ///    that only says "unknown user" (the code is the server's own statement about the mailbox);
    ///    an "unknown user" with a security/policy code (X.7.X) not in reply to RCPT TO is a
    ///    filter's answer; an "unknown user" said after DATA is one too (RFC 5321 §3.3: recipients
    ///    are accepted or refused at RCPT TO, a refusal after the message answers the message);
    ///    an address cause with words that say it is temporary ("try again later") is not the
    ///    address's fault.
    /// 4. Without such words: the status's subject and detail (RFC 3463), else the reply code
    ///    (RFC 5321: 551 user not local, 552 storage, 553 mailbox name not allowed at RCPT, 421/450/451/452;
    ///    RFC 7504: 521/556), else the notice's general words.
    /// 5. Without any of those: a refusal of MAIL FROM is the sender's; a delay or a queue that
    ///    gave up is `expired`; else the status's subject gives a broad reason. A bare refusal of
    ///    RCPT TO is not taken for an unknown user: RFC 5321 lets 550 there mean policy as well.
    ///
    /// Whether the bounce is hard then follows from the reason and the status's class
    /// (`isHard(status:)`), and a delayed action is never hard (`BouncedRecipient`).
    public static func classify(status: String?, diagnostic: String, notice: String = "", action: String = "failed") -> BounceReason {
        let action = action.lowercased()
        if let status, status.first == "2" { return .delivered }
        if ["delivered", "relayed", "expanded"].contains(where: action.hasPrefix) { return .delivered }
        let d = normalise(diagnostic), n = normalise(notice)
        let phase = phase(in: d + " " + n)
        let detail = status.map { $0.split(separator: ".").dropFirst().map(String.init) } ?? []
        let subject = detail.first ?? "0", det = detail.count > 1 ? detail[1] : "0"
        let byCode = code(subject, det) ?? replyCode(in: d).flatMap { reply($0, phase: phase) }
        if var r = words(d, phase: phase) {
            if r == .filtered && byCode == .userUnknown && !contains(d, filterWords) { r = .userUnknown }
            if r == .userUnknown && subject == "7" && phase != .rcptTo { r = .filtered }
            return temporary(r, d)
        }
        if let r = byCode ?? words(n, phase: phase) { return temporary(r, d) }
        if phase == .mailFrom { return .senderRejected }
        if contains(d + " " + n, expiredWords) || action.hasPrefix("delayed") { return .expired }
        switch subject {
        case "1", "2", "3", "5": return .system
        case "4": return .network
        case "6", "7": return .policy
        default: return .undetermined
        }
    }

    /// `r`, unless the server said the refusal is temporary: then an address cause is the
    /// network's (an unresolvable domain "try again") or the receiving system's.
    static func temporary(_ r: BounceReason, _ words: String) -> BounceReason {
        guard r.namesTheAddress, contains(words, transientWords) else { return r }
        return r == .hostUnknown ? .network : .system
    }

    /// The reason a text states, if it states one: causes that leave the address alive first.
    static func words(_ text: String, phase: Phase?) -> BounceReason? {
        guard !text.isEmpty else { return nil }
        // A server's reason is a line or a paragraph: a sender's megabyte is not searched 200 times.
        let t = text.utf8.count > maxText ? String(decoding: text.utf8.prefix(maxText), as: UTF8.self) : text
        if contains(t, mailerErrorWords) { return .mailerError }
        if contains(t, fullWords) { return .mailboxFull }
        if contains(t, largeWords) { return .tooLarge }
        if contains(t, suspendedWords) { return .suspended }
        if contains(t, relayWords) { return .relayDenied }
        if contains(t, rateWords) { return .rateLimited }
        if contains(t, greylistWords) { return .policy }
        if contains(t, filterWords) { return .filtered }
        if contains(t, blockedWords) { return .blocked }
        if contains(t, spamWords) { return .spam }
        if contains(t, authenticationWords) { return .policy }
        if contains(t, senderWords) { return .senderRejected }
        if contains(t, movedWords) { return .moved }
        if contains(t, notAcceptingWords) { return .notAccepting }
        if contains(t, hostUnknownWords) { return .hostUnknown }
        if contains(t, userUnknownWords) {
            switch phase {
            case .data: return .filtered
            case .mailFrom: return .senderRejected
            default: return .userUnknown
            }
        }
        return nil
    }

    /// The reason a specific status code names (RFC 3463 and the IANA registry of enhanced
    /// status codes), if it names one; X.0.0 and the other "undefined" details name none.
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
        case ("2", "4"), ("3", "1"), ("3", "3"), ("3", "5"): return .system
        case ("4", "1"), ("4", "2"), ("4", "3"), ("4", "5"), ("4", "6"): return .network
        // X.4.4: no route, e.g. a DNS answer with only an SOA record: the domain takes no mail.
        case ("4", "4"): return .hostUnknown
        case ("4", "7"): return .expired
        case ("5", "3"): return .rateLimited
        case ("7", "1"): return .blocked
        default: return nil
        }
    }

    /// The SMTP reply code (RFC 5321 §4.2) at the start of a server's words or after "said:",
    /// "smtp;" and the like: the first `4yz` or `5yz` number standing alone.
    static func replyCode(in t: String) -> Int? {
        let b = Array(t.utf8)
        var i = 0
        while i + 3 <= b.count {
            if b[i] == 52 || b[i] == 53, (48...57).contains(b[i + 1]), (48...57).contains(b[i + 2]),
                i == 0 || !((48...57).contains(b[i - 1]) || b[i - 1] == 46), i + 3 == b.count || b[i + 3] == 32 || b[i + 3] == 45
            {
                return Int(b[i] - 48) * 100 + Int(b[i + 1] - 48) * 10 + Int(b[i + 2] - 48)
            }
            i += 1
        }
        return nil
    }

    /// The reason a reply code names (RFC 5321 §4.2.2–4.2.3, RFC 7504), if it names one; 550 and
    /// 554 name none but a refusal.
    static func reply(_ code: Int, phase: Phase?) -> BounceReason? {
        switch code {
        case 551: return .moved
        case 552, 452: return phase == .data ? .tooLarge : .mailboxFull
        case 553: return phase == .rcptTo ? .userUnknown : nil
        case 521, 556: return .notAccepting
        case 421, 450, 451: return .system
        default: return nil
        }
    }

    /// The command a refusal answered: Postfix's "(in reply to RCPT TO command)", Exim's "after
    /// RCPT TO", or the last `>>>` command before the first `<<< 4xx/5xx` of a Sendmail transcript.
    static func phase(in t: String) -> Phase? {
        for (words, phase) in [
            (["in reply to rcpt to", "after rcpt to", "[rcpt_to]", "rcpt to command", "rcpt to response"], Phase.rcptTo),
            (["in reply to end of data", "in reply to data", "after end of data", "after data", "[data]"], .data),
            (["in reply to mail from", "after mail from", "[mail_from]"], .mailFrom),
        ] where contains(t, words) {
            return phase
        }
        var last: Phase?
        var rest = Substring(t)
        while let r = rest.range(of: ">>> ") {
            let after = rest[r.upperBound...]
            if after.hasPrefix("rcpt") {
                last = .rcptTo
            } else if after.hasPrefix("data") {
                last = .data
            } else if after.hasPrefix("mail") {
                last = .mailFrom
            } else if after.hasPrefix("ehlo") || after.hasPrefix("helo") {
                last = .connect
            }
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

    /// The most of a bounce's text searched for the servers' wording.
    static let maxText = 8_192

    // The conventional wording of MTAs (Postfix, Sendmail, Exim, qmail, Exchange, Domino and the
    // large mailbox providers) and of the standards' own reply texts, lower-cased.

    /// The local delivery program failed (RFC 3464 "x-unix" diagnostics, procmail, pipes).
    static let mailerErrorWords = [
        "command output:", "x-unix;", "procmail:", "local delivery failed", "delivery to a pipe", "mailer error",
        "loops back to myself",
    ]
    /// Over quota (X.2.2; RFC 5321's 552 "exceeded storage allocation").
    static let fullWords = [
        "mailbox full", "mailbox is full", "mailbox has exceeded", "over quota", "overquota", "quota exceeded", "exceeded storage",
        "exceeds the storage", "insufficient storage", "mailbox size limit", "user is over", "disk quota", "storage quota",
        "not enough storage", "mailfolder is full", "quota exceed", "exceeded its quota", "out of storage", "mailbox is over",
        "storage allocation",
    ]
    /// The message is larger than allowed (X.2.3, X.3.4).
    static let largeWords = [
        "message too large", "message is too large", "message size exceeds", "exceeds size limit", "size limit exceeded",
        "message too big", "message exceeds the maximum size", "mail size limit", "message length exceeds",
        "exceeds administrative limit", "message size limit", "size exceeds", "too big for system",
    ]
    /// The mailbox exists but is disabled (X.2.1): RFC 3463 says it may be re-enabled.
    static let suspendedWords = [
        "account has been disabled", "account is disabled", "account disabled", "disabled or discontinued", "has been suspended",
        "account suspended", "is suspended", "mailbox is inactive", "account is inactive", "inactive account", "mailbox disabled",
        "account has been frozen", "is disabled", "mailbox is disabled", "account is locked", "account locked",
        "temporarily disabled", "not accepting messages at this time", "mailbox is not active", "recipient suspended",
    ]
    /// The server will not relay for us (RFC 5321 §3.6.2).
    static let relayWords = [
        "relay access denied", "relaying denied", "relay not permitted", "not permitted to relay", "unable to relay",
        "we do not relay", "relaying not allowed", "relay denied", "no relaying", "relaying to", "relay not allowed",
        "not in my list of allowed rcpthosts", "not a registered gateway user",
    ]
    /// Too much, too fast (X.5.3, X.4.5 wording; RFC 5321's 452 "too many recipients").
    static let rateWords = [
        "too many recipients", "rate limit", "has sent too many", "sending rate", "too many messages", "exceeded the rate",
        "too many connections", "too many errors", "too many concurrent", "rate limited", "ratelimit", "throttl",
        "unusual rate", "try again later, closing connection",
    ]
    /// Greylisting: a deliberate "come back later".
    static let greylistWords = ["greylist", "graylist", "grey-list", "gray-list", "greylisted", "try again in"]
    /// The recipient's own rules refused us (a filter, not the address).
    static let filterWords = [
        "refused due to recipient preferences", "rejected due to user rules", "only accepting mail from",
        "blocked by the recipient", "recipient has blocked", "blocked by recipient", "rejected by recipient's filter",
        "user has blocked", "content filter", "message filter", "filtered", "refuse to receive mail",
    ]
    /// Our server's reputation or identity: block lists, reverse DNS, HELO.
    static let blockedWords = [
        "blacklist", "blocklist", "block list", "black list", "spamhaus", "dnsbl", "spamcop", "sorbs", "barracuda",
        "reverse dns", "ptr record", "rdns", "reverse lookup", "poor reputation", "bad reputation", "low reputation",
        "client host rejected", "not accepting connections", "connection refused by", "ip address has been blocked",
        "your ip", "sending ip", "ip blocked", "blocked ip", "helo command rejected", "helo rejected",
        "has been temporarily rate limited due to ip",
    ]
    /// The content was judged spam or malware.
    static let spamWords = [
        "as spam", "spam detected", "spam message", "spam content", "likely spam", "spam score", "appears to be spam",
        "considered spam", "identified as spam", "looks like spam", "virus", "malware", "junk mail", "unsolicited",
        "infected", "suspicious content", "phishing",
    ]
    /// Authentication and other security policy (X.7.x wording: SPF, DKIM, DMARC, TLS).
    static let authenticationWords = [
        "spf check", "spf fail", "failed spf", "spf validation", "spf record", "dkim fail", "failed dkim", "dkim signature",
        "dmarc policy", "dmarc fail", "failed dmarc", "dmarc verification", "dmarc reject", "authentication required",
        "not authenticated", "unauthenticated", "security policy", "sender policy framework", "must use tls",
        "starttls", "encryption required", "policy violation", "violates", "not authorized", "not permitted by policy",
    ]
    /// Our sender address or domain was refused (X.1.7, X.1.8, X.7.1 at MAIL FROM).
    static let senderWords = [
        "sender address rejected", "domain of sender address", "sender verify failed", "sender domain", "you may not have permission",
        "sender is not allowed", "sender rejected", "not allowed to send", "address rejected: sender", "sender denied",
        "unverified sender", "bad sender", "sender address is not",
    ]
    /// The recipient moved (X.1.6; RFC 5321's 551 "user not local; please try").
    static let movedWords = [
        "has moved", "address has changed", "no longer uses this address", "this address has been changed", "user not local",
        "has been replaced by", "no longer on server",
    ]
    /// The domain takes no mail at all (RFC 7505 null MX, RFC 7504 521/556).
    static let notAcceptingWords = [
        "does not accept mail", "accepts no mail", "null mx", "does not accept email", "domain does not receive mail",
        "does not receive email",
    ]
    /// The domain does not resolve or has no mail server (X.1.2, X.4.4; NXDOMAIN).
    static let hostUnknownWords = [
        "host not found", "domain not found", "name or service not known", "no such domain", "host unknown",
        "unknown host", "unknown domain", "dns lookup failure", "domain is not reachable", "unrouteable", "unroutable",
        "no mx record", "domain does not exist", "mx lookup failed", "no valid mx", "domain name not found",
        "host or domain name not found", "illegal host/domain name", "nxdomain", "no route to domain",
        "bad destination system", "domain may not exist", "non-existent domain", "nonexistent domain",
    ]
    /// The mailbox does not exist (X.1.1, X.1.3; RFC 5321's 550 "mailbox unavailable").
    static let userUnknownWords = [
        "user unknown", "unknown user", "no such user", "does not exist", "mailbox unavailable", "invalid recipient",
        "no mailbox", "unknown recipient", "recipient unknown", "address unknown", "mailbox not found", "not listed in domino", "not listed in public name",
        "address not found", "user not found", "no such recipient", "recipient not found", "addressee unknown",
        "unknown address", "invalid mailbox", "mailbox does not exist", "no such mailbox", "bad destination mailbox",
        "not a valid recipient", "unknown local part", "undeliverable address", "no account by that name",
        "recipient name is not recognized", "address couldn't be found", "no such account", "account does not exist",
        "invalid address", "no longer valid", "not a valid mailbox", "user doesn't exist", "no such person",
        "recipientnotfound", "user doesn't have a", "user does not have a", "unknown account",
        "mailbox not available", "unknown or illegal alias", "invalid user", "bad recipient",
    ]
    /// Queued until the retry period ran out (X.4.7).
    static let expiredWords = [
        "retry timeout exceeded", "expired", "gave up", "too long in queue", "could not be delivered for",
        "retry time not reached", "delivery time expired", "will not be retried", "have been failing for", "giving up",
    ]
    /// The server says the refusal will pass.
    static let transientWords = [
        "try again later", "try later", "please retry", "retry later", "temporary failure", "temporarily unavailable",
        "temporarily rejected", "not found, try again", "timed out", "no relevant answer",
    ]
}

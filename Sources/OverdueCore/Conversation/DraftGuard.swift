import Foundation

/// The checks every model-written draft must pass before it can be sent or queued for approval.
/// A model is never trusted with facts: every amount, date, reference number, email address and
/// phone number in a draft must be one the case holds. Pure, so it is tested with adversarial drafts.
public enum DraftGuard {
    /// What a draft may state: the case's facts as the composer was given them.
    public struct Facts: Sendable, Hashable {
        /// Amounts in minor units (balances, invoice amounts, totals, promised amounts).
        public var amounts: Set<Int64>
        /// Dates (due dates, promised dates, today, callback days).
        public var dates: Set<LocalDate>
        /// Invoice, load, PRO, BOL and PO numbers, upper-cased.
        public var references: Set<String>
        /// Email addresses, lower-cased.
        public var emails: Set<String>
        /// Phone numbers as their last ten digits.
        public var phones: Set<String>
        /// Names the message may be signed with (company, sender); one must appear.
        public var senders: [String]
        /// Web addresses the message may give (pay link, document links, public URL).
        public var links: [String]
        /// The language the debtor writes in ("en", "es", "fr").
        public var language: String

        /// Creates facts.
        public init(
            amounts: Set<Int64> = [], dates: Set<LocalDate> = [], references: Set<String> = [], emails: Set<String> = [], phones: Set<String> = [],
            senders: [String] = [], links: [String] = [], language: String = "en"
        ) {
            self.amounts = amounts
            self.dates = dates
            self.references = Set(references.map { $0.uppercased() })
            self.emails = Set(emails.map { $0.lowercased() })
            self.phones = Set(phones.compactMap(DraftGuard.phoneKey))
            self.senders = senders
            self.links = links
            self.language = language
        }

        /// Both sets of facts (senders and language from `self`).
        public func union(_ o: Facts) -> Facts {
            var f = self
            f.amounts.formUnion(o.amounts)
            f.dates.formUnion(o.dates)
            f.references.formUnion(o.references)
            f.emails.formUnion(o.emails)
            f.phones.formUnion(o.phones)
            f.links += o.links.filter { !f.links.contains($0) }
            return f
        }
    }

    /// Every amount, date, reference, address, number and link a trusted text states (the template
    /// composer's message for the same request): what the model may repeat.
    /// A date written without its year ("Nov 20") is taken in `year` (the composing day's); without
    /// one it is not counted as stated.
    public static func mentioned(in text: String, language: String = "en", year: Int? = nil) -> Facts {
        var rest = text
        let links = matches(#"https?://[^\s<>"]+"#, in: rest).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)")) }
        for l in links { rest = rest.replacingOccurrences(of: l, with: " ") }
        let emails = matches(#"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, in: rest)
        for e in emails { rest = rest.replacingOccurrences(of: e, with: " ") }
        let found = dates(in: &rest) { m, d in year.flatMap { LocalDate(year: $0, month: m, day: d) } }.map(\.value)
        let phones = matches(phonePattern, in: rest).filter { $0.filter(\.isNumber).count >= 10 }
        for p in phones { rest = rest.replacingOccurrences(of: p, with: " ") }
        let money = amounts(in: &rest).map(\.minor)
        let refs = matches(#"[A-Za-z0-9][A-Za-z0-9#/-]*\d{3,}[A-Za-z0-9/-]*"#, in: rest).map {
            $0.uppercased().trimmingCharacters(in: CharacterSet(charactersIn: "-/#"))
        }
        return Facts(amounts: Set(money), dates: Set(found), references: Set(refs), emails: Set(emails), phones: Set(phones), links: links, language: language)
    }

    /// A tenant's limits on what models may write.
    public struct Policy: Sendable, Hashable {
        /// Phrases no message may contain (threats, legal claims, words the tenant blocks), lower-cased.
        public var blocked: [String]
        /// Most SMS segments a text may take.
        public var maxSMSSegments: Int
        /// Most words a spoken turn may have (about 150 words a minute).
        public var maxVoiceWords: Int

        /// Creates a policy; `blocked` adds to the default list.
        public init(blocked: [String] = [], maxSMSSegments: Int = 2, maxVoiceWords: Int = 90) {
            self.blocked = DraftGuard.defaultBlocked + blocked.map { $0.lowercased() }.filter { !$0.isEmpty }
            self.maxSMSSegments = maxSMSSegments
            self.maxVoiceWords = maxVoiceWords
        }
    }

    /// One reason a draft was refused.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// Stable code: `amount`, `date`, `reference`, `email`, `phone`, `link`, `opt_out`, `sender`, `blocked`, `length`, `language`, `empty`.
        public var code: String
        /// What is wrong, quoting the draft.
        public var message: String
        /// What it is, in words.
        public var description: String { message }
    }

    /// Threats, legal-action claims and pressure a collector may not use (FDCPA-style), lower-cased.
    public static let defaultBlocked = [
        "lawsuit", "sue you", "we will sue", "legal action", "take you to court", "court order", "attorney", "lawyer", "arrest", "jail", "prison",
        "police", "garnish", "seize", "credit bureau", "ruin your credit", "report you", "criminal", "fraud", "last chance before", "or else",
        "threat", "stupid", "idiot", "damn", "hell",
    ]

    /// Every rule `subject` and `body` break on `channel` (empty: the draft may go).
    public static func check(subject: String?, body: String, channel: Channel, kind: MessageKind = .reminder, facts: Facts, policy: Policy = Policy())
        -> [Failure]
    {
        let text = [subject, body].compactMap { $0 }.joined(separator: "\n")
        var out: [Failure] = []
        func fail(_ code: String, _ message: String) { out.append(Failure(code: code, message: message)) }
        guard body.trimmingCharacters(in: .whitespacesAndNewlines).count >= 20 else {
            return [Failure(code: "empty", message: "the draft is empty or too short to be a message")]
        }
        var rest = text
        // Links first, so their digits are not read as numbers.
        for url in matches(#"https?://[^\s<>"]+"#, in: rest) {
            let clean = url.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)"))
            if !facts.links.contains(where: { clean.hasPrefix($0) }) { fail("link", "the link \(clean) is not one of the case's") }
            rest = rest.replacingOccurrences(of: url, with: " ")
        }
        for email in matches(#"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, in: rest) {
            if !facts.emails.contains(email.lowercased()) { fail("email", "the address \(email) is not one the case holds") }
            rest = rest.replacingOccurrences(of: email, with: " ")
        }
        // A date without its year is the case's: the year in which it is one of the facts, else the latest year they name.
        let years = Set(facts.dates.map(\.year)).sorted(by: >)
        let yearless = { (m: Int, d: Int) -> LocalDate? in
            years.lazy.compactMap { LocalDate(year: $0, month: m, day: d) }.first { facts.dates.contains($0) }
                ?? years.first.flatMap { LocalDate(year: $0, month: m, day: d) }
        }
        for date in dates(in: &rest, yearless: yearless) where !facts.dates.contains(date.value) {
            fail("date", "the date \"\(date.text)\" (\(date.value)) is not one the case holds")
        }
        for phone in matches(phonePattern, in: rest) where phone.filter(\.isNumber).count >= 10 {
            if let key = phoneKey(phone), !facts.phones.contains(key) { fail("phone", "the number \(phone) is not one the case holds") }
            rest = rest.replacingOccurrences(of: phone, with: " ")
        }
        for amount in amounts(in: &rest) where !facts.amounts.contains(amount.minor) {
            fail("amount", "the amount \"\(amount.text)\" is not one the case holds")
        }
        // Reference numbers: a token with a digit run of three or more (letters and dashes around it).
        for token in matches(#"[A-Za-z0-9][A-Za-z0-9#/-]*\d{3,}[A-Za-z0-9/-]*"#, in: rest) {
            let t = token.uppercased().trimmingCharacters(in: CharacterSet(charactersIn: "-/#"))
            if facts.references.contains(t) || facts.references.contains(where: { $0.hasSuffix(t) && t.count >= 5 }) { continue }
            fail("reference", "\"\(token)\" looks like an invoice, load, PRO or BOL number the case does not have")
        }
        let lower = text.lowercased()
        switch channel {
        case .email:
            if !lower.contains("unsubscribe") { fail("opt_out", "an email must say how to stop them (\"reply unsubscribe\")") }
        case .sms:
            if kind != .optOutConfirmation && !body.contains("STOP") { fail("opt_out", "a text must say \"Reply STOP to opt out\"") }
            let m = SMSText.measure(body)
            if m.segments > policy.maxSMSSegments {
                fail("length", "the text takes \(m.segments) SMS segments (\(m.units) \(m.encoding.rawValue) characters); at most \(policy.maxSMSSegments)")
            }
        case .voice:
            let words = body.split(whereSeparator: \.isWhitespace).count
            if words > policy.maxVoiceWords { fail("length", "the spoken turn has \(words) words; at most \(policy.maxVoiceWords) (about half a minute)") }
        }
        if channel != .voice, !facts.senders.isEmpty, !facts.senders.contains(where: { lower.contains($0.lowercased()) }) {
            fail("sender", "the message does not say who sends it (\(facts.senders.joined(separator: " or ")))")
        }
        for phrase in policy.blocked where containsWord(phrase, in: lower) {
            fail("blocked", "\"\(phrase)\" may not be used in a collection message")
        }
        if let language = LanguageGuess.detect(body), language.code != facts.language {
            fail("language", "the draft reads as \(language.name), the debtor writes \(LanguageGuess.name(facts.language))")
        } else if LanguageGuess.detect(body) == nil {
            fail("language", "the draft is not readable \(LanguageGuess.name(facts.language)) (too few common words)")
        }
        return out
    }

    /// A phone number: optional country code, area code (bracketed or not), 3 + 4 digits.
    static let phonePattern = #"(?:\+?\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}"#

    static func containsWord(_ phrase: String, in text: String) -> Bool {
        guard let r = try? NSRegularExpression(pattern: "\\b" + NSRegularExpression.escapedPattern(for: phrase) + "\\b") else { return false }
        return r.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let r = try? NSRegularExpression(pattern: pattern) else { return [] }
        return r.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    /// The last ten digits of a phone number (nil when it has fewer).
    static func phoneKey(_ phone: String) -> String? {
        let digits = phone.filter(\.isNumber)
        return digits.count >= 10 ? String(digits.suffix(10)) : nil
    }

    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    /// Dates written as 2026-11-20, 11/20/2026, November 20, 2026, Nov 20 or 20 November; each is removed from `text`.
    /// `yearless` gives the day a month and day written without a year stand for (nil: not a date it can place).
    static func dates(in text: inout String, yearless: (Int, Int) -> LocalDate?) -> [(text: String, value: LocalDate)] {
        var out: [(String, LocalDate)] = []
        for m in matches(#"\b\d{4}-\d{2}-\d{2}\b"#, in: text) {
            if let d = LocalDate.parse(m) { out.append((m, d)); text = text.replacingOccurrences(of: m, with: " ") }
        }
        for m in matches(#"\b\d{1,2}/\d{1,2}/\d{2,4}\b"#, in: text) {
            let p = m.split(separator: "/").compactMap { Int($0) }
            if p.count == 3, let d = LocalDate(year: p[2] < 100 ? 2000 + p[2] : p[2], month: p[0], day: p[1]) {
                out.append((m, d)); text = text.replacingOccurrences(of: m, with: " ")
            }
        }
        let name = #"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"#
        for m in matches("(?i)\\b" + name + #"\s+\d{1,2}(st|nd|rd|th)?(,?\s+\d{4})?\b"#, in: text)
            + matches(#"(?i)\b\d{1,2}(st|nd|rd|th)?\s+(of\s+)?"# + name + #"(,?\s+\d{4})?\b"#, in: text)
        {
            let words = m.lowercased().replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
            guard
                let month = words.compactMap({ w in months.firstIndex { $0.hasPrefix(String(w.prefix(3))) && w.count >= 3 && w.first!.isLetter } }).first.map({
                    $0 + 1
                })
            else { continue }
            let numbers = words.compactMap { Int($0.filter(\.isNumber)) }
            guard let day = numbers.first(where: { $0 <= 31 }) else { continue }
            let written = numbers.first(where: { $0 > 31 })
            if let d = written.map({ LocalDate(year: $0, month: month, day: day) }) ?? yearless(month, day) {
                out.append((m, d))
                text = text.replacingOccurrences(of: m, with: " ")
            }
        }
        return out
    }

    /// Amounts written as $1,250.00, 1,250.00 USD, USD 1250, 1250.00; each is removed from `text`.
    static func amounts(in text: inout String) -> [(text: String, minor: Int64)] {
        var out: [(String, Int64)] = []
        let pattern =
            #"(?:[$€£]\s?|(?:USD|CAD|MXN|EUR|GBP)\s?)\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d{1,3}(?:,\d{3})*\.\d{2}(?:\s?(?:USD|CAD|MXN|EUR|GBP))?|\d+\.\d{2}"#
        for m in matches(pattern, in: text) {
            let digits = m.filter { $0.isNumber || $0 == "." }
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            guard let whole = Int64(parts.first ?? "") else { continue }
            var cents: Int64 = 0
            if parts.count > 1 { cents = Int64(String(parts[1].prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0 }
            out.append((m, whole * 100 + cents))
            text = text.replacingOccurrences(of: m, with: " ")
        }
        return out
    }
}

/// Which language a text is in, by its share of very common words (English, Spanish, French).
public enum LanguageGuess {
    /// Each language's code, name and most common words.
    public static let words: [(code: String, name: String, words: Set<String>)] = [
        (
            "en", "English",
            [
                "the", "and", "to", "of", "a", "is", "for", "your", "you", "we", "please", "this", "on", "in", "our", "are", "it", "be", "with", "by", "that",
                "have", "has", "or", "at", "as", "thank", "thanks", "invoice", "payment", "reply", "hello", "hi",
            ]
        ),
        (
            "es", "Spanish",
            [
                "el", "la", "de", "que", "y", "en", "los", "por", "su", "para", "con", "una", "un", "es", "las", "del", "se", "al", "favor", "gracias",
                "factura", "pago", "hola", "usted",
            ]
        ),
        (
            "fr", "French",
            [
                "le", "la", "de", "et", "les", "des", "en", "un", "une", "pour", "vous", "votre", "est", "que", "du", "au", "merci", "facture", "paiement",
                "bonjour", "nous",
            ]
        ),
    ]

    /// The language's name for messages.
    public static func name(_ code: String) -> String { words.first { $0.code == code }?.name ?? code }

    /// The best language and its name, or nil when fewer than 8% of the words are common words of any.
    public static func detect(_ text: String) -> (code: String, name: String)? {
        let tokens = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard tokens.count >= 3 else { return nil }
        let scored = words.map { l in (l.code, l.name, tokens.filter { l.words.contains($0) }.count) }
        guard let best = scored.max(by: { $0.2 < $1.2 }), Double(best.2) / Double(tokens.count) >= 0.08 else { return nil }
        return (best.0, best.1)
    }
}

import Foundation

/// A tenant's settings: the typed view over its dotted `key = value` pairs.
public struct TenantSettings: Hashable, Sendable {
    /// The raw values that were set explicitly (defaults are not stored).
    public private(set) var values: [String: String] { didSet { contactRules = ContactRules(settings: self) } }
    /// The contact rules these settings configure, worked out once (every planning consults them).
    public private(set) var contactRules: ContactRules = .standard

    /// Creates settings from stored values; unknown or invalid ones fall back to defaults.
    public init(values: [String: String] = [:]) {
        self.values = values.filter { TenantSettings.definitions[$0.key] != nil }
        contactRules = ContactRules(settings: self)
    }

    /// One settable key.
    public struct Definition: Sendable {
        /// The default value (as text), or nil for none.
        public let defaultValue: String?
        /// What the key means.
        public let help: String
        /// Whether the value is a secret: stored, never printed.
        public let secret: Bool
        /// Returns nil if `value` is acceptable, else the reason.
        public let validate: @Sendable (String) -> String?
    }

    /// Why a setting could not be changed.
    public struct SettingError: Error, Equatable, CustomStringConvertible {
        /// The message, naming the key and the fix.
        public var message: String
        /// What it is, in words.
        public var description: String { message }
    }

    private static func clockCheck(_ v: String) -> String? {
        ContactWindow.parseClock(v) == nil ? "must be a time HH:MM (e.g. 08:00)" : nil
    }

    private static func urlCheck(_ v: String) -> String? {
        (v.hasPrefix("http://") || v.hasPrefix("https://")) && URL(string: v) != nil ? nil : "must be an http(s) URL"
    }

    private static func telephoneClockCheck(_ v: String) -> String? {
        guard let m = ContactWindow.parseClock(v) else { return "must be a time HH:MM (e.g. 08:00)" }
        return (8 * 60...21 * 60).contains(m) ? nil : "SMS and voice may only be sent 08:00–21:00 in the contact's time zone"
    }

    /// One or more PEM certificates: checked by their shape and base64 alone (never a file).
    static func pemCheck(_ v: String) -> String? {
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var rest = Substring(v)
        var count = 0
        while let b = rest.range(of: begin) {
            guard let e = rest.range(of: end, range: b.upperBound..<rest.endIndex) else { return "a certificate is not closed (\(end))" }
            let body = rest[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
            guard !body.isEmpty, Data(base64Encoded: String(body)) != nil else { return "certificate \(count + 1) is not base64" }
            count += 1
            rest = rest[e.upperBound...]
        }
        return count == 0 ? "must hold PEM certificates (\(begin) … \(end))" : nil
    }

    private static func hostCheck(_ v: String) -> String? {
        v.isEmpty || v.contains(" ") || v.contains("/") ? "must be a host name or address" : nil
    }

    private static func securityCheck(_ v: String) -> String? {
        ["starttls", "tls", "none"].contains(v) ? nil : "must be starttls, tls or none"
    }

    private static func intCheck(_ range: ClosedRange<Int>) -> @Sendable (String) -> String? {
        { v in Int(v).map { range.contains($0) } == true ? nil : "must be a whole number \(range.lowerBound)…\(range.upperBound)" }
    }

    /// Every key a tenant can set.
    public static let definitions: [String: Definition] = [
        "company.name": .init(
            defaultValue: "My Trucking Co", help: "company name used as the sender identity", secret: false,
            validate: { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil }),
        "company.country": .init(
            defaultValue: "US", help: "ISO 3166 alpha-2 country; default for phone numbers", secret: false,
            validate: { PhoneNumber.callingCode(country: $0) == nil ? "must be a supported ISO 3166 alpha-2 code (US, CA, MX, GB, …)" : nil }),
        "company.timezone": .init(
            defaultValue: "America/Chicago", help: "IANA time zone; default for contacts without one", secret: false,
            validate: { TimeZone(identifier: $0) == nil ? "must be an IANA time zone such as America/Chicago" : nil }),
        "company.currency": .init(
            defaultValue: "USD", help: "ISO 4217 currency used when a row names none", secret: false,
            validate: { Currency($0) == nil ? "must be a three-letter ISO 4217 code" : nil }),
        "sender.name": .init(defaultValue: nil, help: "name messages are signed with (default: company.name)", secret: false, validate: { _ in nil }),
        "sender.email": .init(
            defaultValue: nil, help: "from/reply address for email", secret: false,
            validate: { EmailAddress.normalize($0) == nil ? "must be an email address" : nil }),
        "sender.phone": .init(
            defaultValue: nil, help: "callback number quoted in messages (E.164)", secret: false,
            validate: { PhoneNumber.normalize($0, defaultCountry: "US") == nil ? "must be a phone number" : nil }),
        "window.days": .init(
            defaultValue: "mon-fri", help: "days contacts may be reached (mon-fri, mon-sat, mon,wed,fri, all)", secret: false,
            validate: { ContactWindow.parseDays($0) == nil ? "must be days like mon-fri or mon,wed,fri" : nil }),
        "window.holidays": .init(
            defaultValue: nil, help: "days nobody is contacted, in the contact's zone: YYYY-MM-DD, or MM-DD every year (e.g. 01-01, 07-04, 12-25, 2026-11-26)",
            secret: false,
            validate: { v in
                if case .failure(let e) = Holidays.parse(v) { return e.description }
                return nil
            }),
        "window.start": .init(defaultValue: "08:00", help: "opening time in the contact's zone", secret: false, validate: clockCheck),
        "window.end": .init(defaultValue: "18:00", help: "closing time in the contact's zone", secret: false, validate: clockCheck),
        "window.sms.start": .init(defaultValue: nil, help: "SMS opening time (08:00–21:00 only)", secret: false, validate: telephoneClockCheck),
        "window.sms.end": .init(defaultValue: nil, help: "SMS closing time (08:00–21:00 only)", secret: false, validate: telephoneClockCheck),
        "window.voice.start": .init(defaultValue: nil, help: "call opening time (08:00–21:00 only)", secret: false, validate: telephoneClockCheck),
        "window.voice.end": .init(defaultValue: nil, help: "call closing time (08:00–21:00 only)", secret: false, validate: telephoneClockCheck),
        "cap.per_debtor_per_day": .init(
            defaultValue: "1", help: "outbound attempts per debtor per local day, all channels", secret: false, validate: intCheck(1...10)),
        "cap.calls_per_contact_per_7_days": .init(
            defaultValue: "7", help: "call attempts per contact in any rolling 7 days", secret: false, validate: intCheck(0...7)),
        "promise.grace_business_days": .init(
            defaultValue: "2", help: "business days after a promised date before the promise counts as broken", secret: false, validate: intCheck(0...30)),
        "promise.max_days": .init(
            defaultValue: "45", help: "promises further out than this many days go to a person", secret: false, validate: intCheck(1...365)),
        "paid.pause_business_days": .init(
            defaultValue: "5", help: "business days a payment claim pauses the case while it is matched", secret: false, validate: intCheck(1...30)),
        "acknowledge.pause_business_days": .init(
            defaultValue: "3", help: "business days an acknowledgement (\"will look into it\") pauses the case", secret: false, validate: intCheck(0...30)),
        "nlu.min_confidence": .init(
            defaultValue: "0.5", help: "replies understood with less confidence go to a person", secret: false,
            validate: { v in Double(v).map { (0...1).contains($0) } == true ? nil : "must be a number from 0 to 1" }),
        "nlu.llm": .init(
            defaultValue: "off",
            help:
                "on: replies the classifier is unsure of are read again by the model of llm.base_url/llm.model; its reading is used only when consistent with the reply",
            secret: false, validate: { ["off", "on"].contains($0) ? nil : "must be off or on" }),
        "plan.max_installments": .init(
            defaultValue: "3", help: "instalments offered when a debtor asks for a plan (0: hand such requests to a person)", secret: false,
            validate: intCheck(0...12)),
        "plan.interval_days": .init(defaultValue: "14", help: "days between offered instalments", secret: false, validate: intCheck(1...90)),
        "remit.to": .init(
            defaultValue: nil, help: "remit-to address or bank details quoted in answers", secret: false,
            validate: { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "must not be empty" : nil }),
        "pay.url": .init(
            defaultValue: nil, help: "payment link quoted in messages", secret: false,
            validate: { v in (v.hasPrefix("http://") || v.hasPrefix("https://")) && URL(string: v) != nil ? nil : "must be an http(s) URL" }),
        "email.provider": .init(
            defaultValue: "sandbox", help: "sandbox (nothing leaves) or smtp (the email.smtp.* server; replies read from email.imap.*)", secret: false,
            validate: { ["sandbox", "smtp"].contains($0) ? nil : "must be sandbox or smtp" }),
        "email.smtp.host": .init(defaultValue: nil, help: "SMTP server host", secret: false, validate: hostCheck),
        "email.smtp.port": .init(defaultValue: nil, help: "SMTP port (default 587, or 465 with security tls)", secret: false, validate: intCheck(1...65535)),
        "email.smtp.security": .init(defaultValue: "starttls", help: "starttls, tls, or none (loopback servers only)", secret: false, validate: securityCheck),
        "email.smtp.user": .init(defaultValue: nil, help: "SMTP AUTH user", secret: false, validate: { _ in nil }),
        "email.smtp.password": .init(defaultValue: nil, help: "SMTP AUTH password", secret: true, validate: { _ in nil }),
        "email.imap.host": .init(defaultValue: nil, help: "IMAP server host for replies (unset: no mailbox is read)", secret: false, validate: hostCheck),
        "email.imap.port": .init(
            defaultValue: nil, help: "IMAP port (default 993, or 143 with security starttls)", secret: false, validate: intCheck(1...65535)),
        "email.imap.security": .init(defaultValue: "tls", help: "tls, starttls, or none (loopback servers only)", secret: false, validate: securityCheck),
        "email.imap.user": .init(defaultValue: nil, help: "IMAP login", secret: false, validate: { _ in nil }),
        "email.imap.password": .init(defaultValue: nil, help: "IMAP password", secret: true, validate: { _ in nil }),
        "email.imap.mailbox": .init(
            defaultValue: "INBOX", help: "mailbox replies arrive in", secret: false, validate: { $0.isEmpty ? "must not be empty" : nil }),
        "email.imap.processed": .init(
            defaultValue: nil, help: "mailbox processed mail is moved to (unset: only marked seen)", secret: false,
            validate: { $0.isEmpty ? "must not be empty" : nil }),
        "email.authserv_id": .init(
            defaultValue: nil,
            help:
                "authserv-id of the server receiving the tenant's mail: only its Authentication-Results are believed, and mail whose sender it did not authenticate (DMARC, else aligned DKIM or SPF) is filed for a person, nothing done (unset: not checked)",
            secret: false, validate: hostCheck),
        "email.inbound_secret": .init(
            defaultValue: nil, help: "secret a provider's inbound-parse webhook sends (POST /webhooks/email/inbound)", secret: true,
            validate: { $0.count < 16 ? "must be at least 16 characters" : nil }),
        "sms.provider": .init(
            defaultValue: "sandbox", help: "sandbox (nothing leaves), twilio, vonage or plivo", secret: false,
            validate: { ["sandbox", "twilio", "vonage", "plivo"].contains($0) ? nil : "must be sandbox, twilio, vonage or plivo" }),
        "sms.secondary": .init(
            defaultValue: "none", help: "provider texts fail over to after 2 failed tries: none, twilio, vonage or plivo", secret: false,
            validate: { ["none", "twilio", "vonage", "plivo"].contains($0) ? nil : "must be none, twilio, vonage or plivo" }),
        "sms.from": .init(
            defaultValue: nil, help: "sender number for texts and calls, E.164 (default sender.phone)", secret: false,
            validate: { PhoneNumber.normalize($0, defaultCountry: "US") == nil ? "must be a phone number" : nil }),
        "sms.per_second": .init(defaultValue: "1", help: "texts per second per sender number (1 for a long code)", secret: false, validate: intCheck(1...100)),
        "voice.provider": .init(
            defaultValue: "sandbox", help: "sandbox (nothing leaves) or twilio", secret: false,
            validate: { ["sandbox", "twilio"].contains($0) ? nil : "must be sandbox or twilio" }),
        "voice.from": .init(
            defaultValue: nil, help: "caller ID for calls, E.164 (default sms.from, then sender.phone)", secret: false,
            validate: { PhoneNumber.normalize($0, defaultCountry: "US") == nil ? "must be a phone number" : nil }),
        "voice.record": .init(
            defaultValue: "off", help: "on: calls are recorded, and every call says so first", secret: false,
            validate: { ["on", "off"].contains($0) ? nil : "must be on or off" }),
        "voice.transfer_to": .init(
            defaultValue: nil, help: "number a call is transferred to when the debtor asks for a person, disputes, or is not understood",
            secret: false, validate: { PhoneNumber.normalize($0, defaultCountry: "US") == nil ? "must be a phone number" : nil }),
        "twilio.account_sid": .init(
            defaultValue: nil, help: "Twilio account SID (AC…)", secret: false,
            validate: { $0.hasPrefix("AC") && $0.count == 34 ? nil : "must be AC followed by 32 characters" }),
        "twilio.auth_token": .init(
            defaultValue: nil, help: "Twilio auth token (also checks webhook signatures)", secret: true,
            validate: { $0.count < 16 ? "must be at least 16 characters" : nil }),
        "vonage.api_key": .init(defaultValue: nil, help: "Vonage API key", secret: false, validate: { $0.isEmpty ? "must not be empty" : nil }),
        "vonage.api_secret": .init(
            defaultValue: nil, help: "Vonage API secret", secret: true, validate: { $0.count < 6 ? "must be at least 6 characters" : nil }),
        "vonage.signature_secret": .init(
            defaultValue: nil, help: "Vonage signature secret (checks signed webhooks)", secret: true,
            validate: { $0.count < 16 ? "must be at least 16 characters" : nil }),
        "vonage.signature_method": .init(
            defaultValue: "sha256", help: "Vonage signature method: md5hash, md5, sha1, sha256 or sha512", secret: false,
            validate: { ["md5hash", "md5", "sha1", "sha256", "sha512"].contains($0) ? nil : "must be md5hash, md5, sha1, sha256 or sha512" }),
        "plivo.auth_id": .init(defaultValue: nil, help: "Plivo auth ID", secret: false, validate: { $0.isEmpty ? "must not be empty" : nil }),
        "plivo.auth_token": .init(
            defaultValue: nil, help: "Plivo auth token (also checks webhook signatures)", secret: true,
            validate: { $0.count < 16 ? "must be at least 16 characters" : nil }),
        "email.tracking": .init(
            defaultValue: "off", help: "off, opens (a pixel), clicks (links go through this server) or all; needs public_url",
            secret: false, validate: { ["off", "opens", "clicks", "all"].contains($0) ? nil : "must be off, opens, clicks or all" }),
        "email.tls.ca_pem": .init(
            defaultValue: nil, help: "extra CA certificates to trust for the mail servers (a self-hosted CA), PEM text", secret: false,
            validate: pemCheck),
        "llm.provider": .init(
            defaultValue: "off", help: "off (templates write every message) or openai (any OpenAI-compatible server drafts them, under guardrails)",
            secret: false,
            validate: { ["off", "openai"].contains($0) ? nil : "must be off or openai" }),
        "llm.base_url": .init(
            defaultValue: "https://api.openai.com/v1", help: "the server's base URL up to /v1 (Ollama: http://127.0.0.1:11434/v1, vLLM: http://host:8000/v1)",
            secret: false, validate: urlCheck),
        "llm.model": .init(
            defaultValue: "gpt-4o-mini", help: "model name the server knows", secret: false, validate: { $0.isEmpty ? "must not be empty" : nil }),
        "llm.api_key": .init(defaultValue: nil, help: "bearer key (local servers need none)", secret: true, validate: { _ in nil }),
        "llm.timeout_ms": .init(
            defaultValue: "8000", help: "per call for email and SMS drafts; past it the template is used", secret: false, validate: intCheck(200...120_000)),
        "llm.voice_timeout_ms": .init(
            defaultValue: "1500", help: "per call for a spoken turn; past it the template is said", secret: false, validate: intCheck(100...30_000)),
        "llm.temperature": .init(
            defaultValue: "0.3", help: "sampling temperature 0–2", secret: false,
            validate: { v in Double(v).map { (0...2).contains($0) } == true ? nil : "must be a number from 0 to 2" }),
        "llm.monthly_tokens": .init(
            defaultValue: "0", help: "tokens the tenant may spend per calendar month (0: no limit); past it templates write", secret: false,
            validate: intCheck(0...2_000_000_000)),
        "llm.blocked_phrases": .init(
            defaultValue: nil, help: "comma-separated phrases no draft may contain, on top of the built-in threats and legal claims", secret: false,
            validate: { _ in nil }),
        "llm.tone": .init(defaultValue: nil, help: "tone guide given to the model (e.g. 'warm, brief, first names')", secret: false, validate: { _ in nil }),
        "llm.language": .init(
            defaultValue: "en", help: "language debtors are written to: en, es or fr", secret: false,
            validate: { ["en", "es", "fr"].contains($0) ? nil : "must be en, es or fr" }),
        "autonomy": .init(
            defaultValue: "auto", help: "auto (send), review (a person approves), suggest (drafts only)", secret: false,
            validate: { ["auto", "review", "suggest"].contains($0) ? nil : "must be auto, review or suggest" }),
        "public_url": .init(
            defaultValue: nil, help: "externally visible base URL of this server", secret: false,
            validate: { v in (v.hasPrefix("http://") || v.hasPrefix("https://")) && URL(string: v) != nil ? nil : "must be an http(s) URL" }),
    ]

    /// These settings with `changes` applied (a nil value resets a key to its default), in an order
    /// that lets one key depend on another (moving window.start past the old window.end works with
    /// window.end in the same change): what fails is tried again after the rest. Returns the keys
    /// whose value changed (a key set to what it already was is not) and, for what still fails, the
    /// problem by key.
    public func applying(_ changes: [(key: String, value: String?)]) -> (settings: TenantSettings, changed: [String], errors: [String: String]) {
        var settings = self
        var pending = changes
        var changed: [String] = []
        var errors: [String: String] = [:]
        for _ in 0..<3 {
            var failed: [(key: String, value: String?)] = []
            errors = [:]
            for (key, value) in pending {
                do {
                    let before = settings.values[key.lowercased()]
                    try settings.set(key, value)
                    if settings.values[key.lowercased()] != before { changed.append(key.lowercased()) }
                } catch {
                    errors[key.lowercased()] = error.message
                    failed.append((key, value))
                }
            }
            if failed.isEmpty || failed.count == pending.count { break }
            pending = failed
        }
        // Moving where a secret is sent forgets the secret, unless the same change gives it again:
        // whoever may point the model or the mail server elsewhere must also know its password.
        let given = Set(changes.map { $0.key.lowercased() })
        for (destination, secret) in Self.secretDestinations.sorted(by: { $0.key < $1.key })
        where changed.contains(destination) && !given.contains(secret) && values[destination] != nil && settings.values[secret] != nil {
            settings.values[secret] = nil
            changed.append(secret)
        }
        return (settings, changed, errors)
    }

    /// Settings that say where a secret is sent, with that secret: changing one from what it was
    /// forgets the secret (see `applying`).
    public static let secretDestinations = [
        "llm.base_url": "llm.api_key", "email.smtp.host": "email.smtp.password", "email.imap.host": "email.imap.password",
    ]

    /// Validates and sets `key` (nil `value` resets it to the default).
    public mutating func set(_ key: String, _ value: String?) throws(SettingError) {
        let key = key.lowercased()
        if let why = Self.retired[key] { throw SettingError(message: "\(key) is no longer a tenant's setting: \(why)") }
        guard let def = TenantSettings.definitions[key] else {
            throw SettingError(message: "unknown setting '\(key)'; known settings: \(TenantSettings.definitions.keys.sorted().joined(separator: ", "))")
        }
        guard let value else { values[key] = nil; return }
        if let problem = def.validate(value) { throw SettingError(message: "\(key): \(problem) (got '\(value)')") }
        var next = values
        next[key] = value
        let candidate = TenantSettings(values: next)
        if candidate.window.isEmpty { throw SettingError(message: "\(key): the contact window would never open (window.start must be before window.end)") }
        for channel in [Channel.sms, .voice] where candidate.window(for: channel).isEmpty {
            throw SettingError(message: "\(key): the \(channel.rawValue) window would never open (start must be before end, inside 08:00–21:00)")
        }
        values = next
    }

    /// Settings a tenant may no longer set, with what replaces each: a provider's address receives
    /// the tenant's secret, so it is the operator's; a path on the server's disk told a manager
    /// which files exist there (the same answer is given whether it does).
    public static let retired: [String: String] = {
        var r = [
            "email.tls.ca_file": "give the certificates themselves in email.tls.ca_pem (PEM text)"
        ]
        for (key, variable) in [
            ("twilio.api_url", "OVERDUE_TWILIO_API_URL"), ("vonage.api_url", "OVERDUE_VONAGE_API_URL"), ("plivo.api_url", "OVERDUE_PLIVO_API_URL"),
        ] {
            r[key] = "where the provider is, is the operator's configuration (its address receives the tenant's secret): set \(variable) where Overdue runs"
        }
        return r
    }()

    /// The effective value of `key` (explicit or default).
    public func value(_ key: String) -> String? { values[key] ?? TenantSettings.definitions[key]?.defaultValue }

    /// The effective value of whole-number key `key`: as set, else its default (each key's default
    /// is written once, in `definitions`, and a test keeps every default valid for its key).
    public func int(_ key: String) -> Int { Int(value(key) ?? "") ?? Int(Self.definitions[key]?.defaultValue ?? "") ?? 0 }

    /// The effective value of number key `key`: as set, else its default.
    public func number(_ key: String) -> Double { Double(value(key) ?? "") ?? Double(Self.definitions[key]?.defaultValue ?? "") ?? 0 }

    /// Whether on/off key `key` is on.
    public func isOn(_ key: String) -> Bool { value(key) == "on" }

    /// Promises further out than this many days go to a person (`promise.max_days`).
    public var promiseMaxDays: Int { int("promise.max_days") }
    /// Business days after a promised date before a promise counts as broken (`promise.grace_business_days`).
    public var promiseGraceBusinessDays: Int { int("promise.grace_business_days") }
    /// Business days a payment claim pauses the case (`paid.pause_business_days`).
    public var paidPauseBusinessDays: Int { int("paid.pause_business_days") }
    /// Business days an acknowledgement pauses the case (`acknowledge.pause_business_days`).
    public var acknowledgePauseBusinessDays: Int { int("acknowledge.pause_business_days") }
    /// Replies understood with less confidence go to a person (`nlu.min_confidence`).
    public var minimumConfidence: Double { number("nlu.min_confidence") }
    /// Instalments offered when a debtor asks for a plan; 0 hands such requests to a person (`plan.max_installments`).
    public var planMaxInstallments: Int { int("plan.max_installments") }
    /// Days between offered instalments (`plan.interval_days`).
    public var planIntervalDays: Int { int("plan.interval_days") }
    /// Texts per second per sender number (`sms.per_second`).
    public var smsPerSecond: Int { int("sms.per_second") }
    /// What happens to an answer Overdue writes (`autonomy`).
    public var autonomy: Autonomy { Autonomy(rawValue: value("autonomy") ?? "") ?? .auto }
    /// Who carries email (`email.provider`).
    public var emailProvider: EmailProviderKind { EmailProviderKind(rawValue: value("email.provider") ?? "") ?? .sandbox }
    /// Who carries texts (`sms.provider`).
    public var smsProvider: SMSProviderKind { SMSProviderKind(rawValue: value("sms.provider") ?? "") ?? .sandbox }
    /// The provider texts fail over to (`sms.secondary`; nil: none, or the primary itself).
    public var smsSecondary: SMSProviderKind? {
        SMSProviderKind(rawValue: value("sms.secondary") ?? "").flatMap { $0 == .sandbox || $0 == smsProvider ? nil : $0 }
    }
    /// Who places calls (`voice.provider`).
    public var voiceProvider: VoiceProviderKind { VoiceProviderKind(rawValue: value("voice.provider") ?? "") ?? .sandbox }
    /// Whether a model writes messages (`llm.provider`).
    public var modelProvider: ModelProviderKind { ModelProviderKind(rawValue: value("llm.provider") ?? "") ?? .off }

    /// Company name.
    public var companyName: String { value("company.name")! }
    /// Default country for phone numbers.
    public var country: String { value("company.country")!.uppercased() }
    /// Default time zone.
    public var timeZoneIdentifier: String { value("company.timezone")! }
    /// Default time zone.
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(identifier: "UTC")! }
    /// Default currency.
    public var currency: Currency { Currency(value("company.currency")!) ?? .usd }
    /// Name messages are signed with.
    public var senderName: String { value("sender.name") ?? companyName }
    /// Outbound attempts per debtor per local day.
    public var maxAttemptsPerDebtorPerDay: Int { Int(value("cap.per_debtor_per_day")!) ?? 1 }
    /// Call attempts per contact per rolling 7 days.
    public var maxCallsPerContactPer7Days: Int { Int(value("cap.calls_per_contact_per_7_days")!) ?? 7 }

    /// The general contact window (all channels).
    public var window: ContactWindow {
        ContactWindow(
            weekdays: ContactWindow.parseDays(value("window.days")!) ?? ContactWindow.businessHours.weekdays,
            startMinute: ContactWindow.parseClock(value("window.start")!) ?? 480,
            endMinute: ContactWindow.parseClock(value("window.end")!) ?? 1080,
            holidays: value("window.holidays").flatMap { try? Holidays.parse($0).get() } ?? Holidays())
    }

    /// The window for `channel`: SMS and voice are always inside 08:00–21:00 local.
    public func window(for channel: Channel) -> ContactWindow {
        var w = window
        guard channel != .email else { return w }
        if let s = value("window.\(channel.rawValue).start").flatMap(ContactWindow.parseClock) { w.startMinute = s }
        if let e = value("window.\(channel.rawValue).end").flatMap(ContactWindow.parseClock) { w.endMinute = e }
        return w.clamped(to: .telephoneLimit)
    }

    /// Every key with its effective value, secrets masked, for display.
    public func display() -> [(key: String, value: String, isDefault: Bool)] {
        TenantSettings.definitions.keys.sorted().map { key in
            let def = TenantSettings.definitions[key]!
            let v = value(key) ?? ""
            return (key, def.secret && !v.isEmpty ? "********" : v, values[key] == nil)
        }
    }
}

/// What happens to an answer Overdue writes to a debtor (`autonomy`).
public enum Autonomy: String, Sendable, CaseIterable {
    /// Sent.
    case auto
    /// Drafted; a person approves it before it goes.
    case review
    /// Only suggested to a person.
    case suggest
}

/// Who carries a tenant's email (`email.provider`).
public enum EmailProviderKind: String, Sendable, CaseIterable {
    /// Nothing leaves.
    case sandbox
    /// The tenant's SMTP server (replies read over IMAP).
    case smtp
}

/// Who carries a tenant's texts (`sms.provider`, `sms.secondary`).
public enum SMSProviderKind: String, Sendable, CaseIterable {
    /// Nothing leaves.
    case sandbox
    /// Twilio Programmable Messaging.
    case twilio
    /// Vonage SMS API.
    case vonage
    /// Plivo Messages.
    case plivo
}

/// Who places a tenant's calls (`voice.provider`).
public enum VoiceProviderKind: String, Sendable, CaseIterable {
    /// Nothing leaves.
    case sandbox
    /// Twilio Programmable Voice.
    case twilio
}

/// Whether a model writes a tenant's messages (`llm.provider`).
public enum ModelProviderKind: String, Sendable, CaseIterable {
    /// Templates write every message.
    case off
    /// An OpenAI-compatible server drafts them, under guardrails.
    case openai
}

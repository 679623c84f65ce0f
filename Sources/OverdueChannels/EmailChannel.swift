import Foundation
import Logging
import NIOSSL
import OverdueCore
import OverdueMail

/// A tenant's mail servers, as its settings give them.
public struct EmailAccount: Sendable {
    /// Sending.
    public var smtp: SMTPConfiguration
    /// Reading replies (nil: no mailbox is read).
    public var imap: IMAPConfiguration?
    /// The mailbox read (default INBOX).
    public var mailbox: String
    /// Where processed mail is moved (nil: only marked seen).
    public var processedMailbox: String?
    /// The sender.
    public var from: Mailbox
    /// The server's public URL (one-click unsubscribe links).
    public var publicURL: String?
    /// Open/click tracking (off unless the tenant turns it on).
    public var tracking: Tracking.Mode = .off

    /// Builds the account from tenant settings; nil when the tenant sends email through the sandbox.
    /// Throws with the setting named when something required is missing or wrong.
    public static func from(_ settings: TenantSettings) throws -> EmailAccount? {
        guard settings.emailProvider == .smtp else { return nil }
        func required(_ key: String) throws -> String {
            guard let v = settings.value(key), !v.isEmpty else { throw AccountError(description: "email.provider is smtp but \(key) is not set") }
            return v
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let pem = settings.value("email.tls.ca_pem") {
            do { tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))] } catch {
                throw AccountError(description: "email.tls.ca_pem: the certificates do not read (\(error))")
            }
        }
        let smtpHost = try required("email.smtp.host")
        let smtpSecurity = MailSecurity(rawValue: settings.value("email.smtp.security") ?? "starttls") ?? .starttls
        try Self.checkClearText(smtpSecurity, host: smtpHost, key: "email.smtp.security")
        let smtp = SMTPConfiguration(
            host: smtpHost, port: Int(settings.value("email.smtp.port") ?? "") ?? (smtpSecurity == .tls ? 465 : 587),
            security: smtpSecurity, username: settings.value("email.smtp.user"), password: settings.value("email.smtp.password"),
            heloName: URL(string: settings.value("public_url") ?? "")?.host ?? "overdue.localhost", timeout: .seconds(30), tls: tls)
        var imap: IMAPConfiguration?
        if let host = settings.value("email.imap.host"), !host.isEmpty {
            let security = MailSecurity(rawValue: settings.value("email.imap.security") ?? "tls") ?? .tls
            try Self.checkClearText(security, host: host, key: "email.imap.security")
            imap = IMAPConfiguration(
                host: host, port: Int(settings.value("email.imap.port") ?? "") ?? (security == .tls ? 993 : 143), security: security,
                username: try required("email.imap.user"), password: try required("email.imap.password"), timeout: .seconds(30), tls: tls)
        }
        return EmailAccount(
            smtp: smtp, imap: imap, mailbox: settings.value("email.imap.mailbox") ?? "INBOX",
            processedMailbox: settings.value("email.imap.processed"), from: Mailbox(try required("sender.email"), name: settings.senderName),
            publicURL: settings.value("public_url"),
            tracking: Tracking.Mode(rawValue: settings.value("email.tracking") ?? "off") ?? .off)
    }

    /// Clear text is for loopback servers only.
    static func checkClearText(_ security: MailSecurity, host: String, key: String) throws {
        guard security == .none else { return }
        guard ["localhost", "127.0.0.1", "::1"].contains(host) else {
            throw AccountError(description: "\(key) none (no TLS) is only allowed for a loopback server, not \(host)")
        }
    }

    /// Why an account cannot be used.
    public struct AccountError: Error, CustomStringConvertible {
        /// What is wrong, naming the setting.
        public var description: String
    }

    /// The domain of the sender address.
    public var domain: String { from.address.split(separator: "@").last.map(String.init) ?? "overdue.invalid" }

    /// The reply address that threads replies to `messageID` even when headers are stripped.
    public func replyAddress(for messageID: String) -> String {
        let parts = from.address.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else { return from.address }
        return "\(parts[0])+\(messageID)@\(parts[1])"
    }
}

/// Sends email through each tenant's own SMTP server (tenants without one keep the sandbox).
public struct EmailChannel: ChannelAdapter {
    /// Finds a tenant's account (nil: sandbox).
    public typealias AccountLookup = @Sendable (String) async throws -> EmailAccount?
    /// Reads an attachment's bytes.
    public typealias AttachmentReader = @Sendable (DocumentRef) -> [UInt8]?

    let account: AccountLookup
    let readAttachment: AttachmentReader
    let logger: Logger
    let pool = SMTPPool()
    /// "Now", for the mail's Date header.
    let clock: any Clock

    /// Creates the channel.
    public init(
        account: @escaping AccountLookup, attachments: @escaping AttachmentReader, logger: Logger = Logger(label: "overdue.email"),
        clock: any Clock = SystemClock()
    ) {
        self.clock = clock
        self.account = account
        self.readAttachment = attachments
        self.logger = logger
    }

    /// The channels this adapter serves.
    public var channels: Set<OverdueCore.Channel> { [.email] }

    /// The `Message-ID` Overdue gives the message with id `id` (parsed back when replies arrive):
    /// the id alone, an HMAC nobody outside can compute (`Store.messageID`); the tenant is not named.
    public static func messageID(_ id: String, domain: String) -> String { "\(id)@\(domain)" }

    /// Hands the message to the provider (`ChannelAdapter`).
    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        let found: EmailAccount?
        do { found = try await message.tenant.asyncMap(account) ?? nil } catch { throw .permanent("email settings: \(error)") }
        guard let acct = found, let tenant = message.tenant else { return try await SandboxChannel().send(message) }
        let mid = Self.messageID(message.id, domain: acct.domain)
        var mail = OutgoingMail(
            from: acct.from, to: [Mailbox(message.to)], subject: message.subject ?? "", text: message.body, html: message.html,
            messageID: mid, date: clock.now())
        mail.replyTo = Mailbox(acct.replyAddress(for: message.id), name: acct.from.name)
        mail.inReplyTo = message.inReplyTo
        mail.references = message.references
        var unsubscribe = ["mailto:\(acct.replyAddress(for: message.id))?subject=unsubscribe"]
        if let base = acct.publicURL.map({ $0.hasSuffix("/") ? String($0.dropLast()) : $0 }), let token = message.linkToken {
            unsubscribe.append("\(base)/u/\(token)")
            if let html = mail.html, acct.tracking != .off { mail.html = Tracking.instrument(html, base: base, token: token, mode: acct.tracking) }
        }
        mail.unsubscribe = unsubscribe
        for doc in message.attachments {
            guard let data = readAttachment(doc) else { throw .permanent("attachment \(doc.filename) (\(doc.id)) is missing from the documents directory") }
            mail.attachments.append(MailAttachment(filename: doc.filename, contentType: doc.contentType, data: data))
        }
        let data = MIMEBuilder.build(mail)
        let key = "\(tenant)\u{1F}\(acct.smtp.host):\(acct.smtp.port)\u{1F}\(acct.smtp.username ?? "")"
        let session: SMTPSession
        do { session = try await pool.session(key, acct.smtp, logger: logger) } catch {
            throw error.isTemporary ? .temporary(error.description) : .permanent(error.description)
        }
        do {
            let result = try await session.send(from: acct.from.address, to: [message.to], data: data)
            await pool.release(key, session)
            return DeliveryReceipt(providerID: "<\(mid)> \(result.reply?.lines.last ?? "")".trimmingCharacters(in: .whitespaces))
        } catch {
            await pool.discard(key, session)
            if case .permanent(let command, let reply) = error, command == "RCPT TO" { throw .rejectedAddress("\(message.to): \(reply)") }
            throw error.isTemporary ? .temporary(error.description) : .permanent(error.description)
        }
    }
}

/// Open SMTP connections kept for the next message of a batch (one per tenant and server, used by
/// one send at a time; idle ones are closed after a minute, before servers drop them).
actor SMTPPool {
    private var idle: [String: (session: SMTPSession, since: ContinuousClock.Instant)] = [:]

    func session(_ key: String, _ configuration: SMTPConfiguration, logger: Logger) async throws(SMTPError) -> SMTPSession {
        if let kept = idle.removeValue(forKey: key) {
            if kept.session.isOpen && ContinuousClock.now - kept.since < .seconds(60) { return kept.session }
            await kept.session.quit()
        }
        return try await SMTPSession.connect(configuration, logger: logger)
    }

    func release(_ key: String, _ session: SMTPSession) async {
        if let previous = idle[key]?.session { await previous.quit() }
        idle[key] = (session, .now)
    }

    func discard(_ key: String, _ session: SMTPSession) async {
        await session.quit()
    }
}

import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueMail
import OverdueStore
import ServiceLifecycle

/// Email arriving for a tenant: classified (reply, auto-reply, bounce, feedback), threaded onto its
/// case (References/In-Reply-To against sent Message-IDs, then the per-message reply address, then
/// the sender's address) and handed to the conversation engine; bounces and complaints act on the
/// contact's address.
public struct MailIntake: Sendable {
    let store: Store
    let engine: ConversationEngine
    let logger: Logger

    /// Creates the intake.
    public init(store: Store, engine: ConversationEngine, logger: Logger = Logger(label: "overdue.mail")) {
        self.store = store
        self.engine = engine
        self.logger = logger
    }

    /// What became of one mail.
    public enum Result: Sendable {
        /// A person's message or an auto-reply, handed to the conversation engine.
        case conversation(ConversationEngine.Outcome)
        /// A bounce: the addresses marked invalid (hard) and those only noted (soft).
        case bounce(hard: [String], soft: [String])
        /// A complaint: email suppressed for these addresses.
        case feedback([String])
        /// Nothing to do, and why.
        case ignored(String)
    }

    /// Handles one raw message received at `at`.
    public func handle(_ raw: [UInt8], tenant: String, at: Date) async throws -> Result {
        let mail = MIMEParser.parse(raw)
        if !mail.problems.isEmpty { try await keepMalformed(raw, mail: mail, tenant: tenant, at: at) }
        let kind = MailClassifier.classify(mail)
        switch kind {
        case .bounce(let recipients):
            return try await bounce(recipients, mail: mail, tenant: tenant, at: at)
        case .feedback(let type, let recipients):
            var done: [String] = []
            try await store.write { s in
                for address in recipients {
                    for c in try await s.contacts(tenant, email: address) {
                        let optOut = type == "opt-out"
                        try await s.addSuppression(
                            tenant,
                            Suppression(
                                contactID: c.id, channel: .email,
                                reason: optOut ? "unsubscribed by mail (List-Unsubscribe)" : "complaint (\(type) report) about our email"), now: at)
                        try await s.recordDecision(
                            tenant, debtor: c.debtorID, at: at, action: .wait,
                            reasons: [
                                optOut
                                    ? Reason("unsubscribed", "\(address) unsubscribed from email: no more email to \(c.name)")
                                    : Reason("complaint", "\(address) reported our email as \(type): no more email to \(c.name)")
                            ])
                        try await s.schedule(tenant, subjects: [c.debtorID], at: at, mode: .earliest)
                        done.append(address)
                    }
                }
            }
            try await replan(done, tenant: tenant, at: at)
            return .feedback(done)
        case .reply, .autoReply:
            guard let from = mail.fromAddress else {
                _ = try await store.write { s in
                    try await s.addInboxItem(
                        tenant, debtor: nil, kind: .unmatched,
                        reason: Reason("unreadable_mail", "an email without a readable sender: \(mail.problems.joined(separator: "; "))"),
                        messageID: nil, at: at)
                }
                return .ignored("no sender address")
            }
            let thread = try await threadContact(mail, tenant: tenant)
            let unauthenticated = try await authentication(of: mail, from: from, tenant: tenant)
            var text = mail.textBody
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { text = mail.subject ?? "(empty message)" }
            if !mail.problems.isEmpty { logger.warning("mail \(mail.messageID ?? "?") from \(from) is malformed: \(mail.problems.joined(separator: "; "))") }
            let outcome = try await engine.receive(
                tenant: tenant, channel: .email, from: from, text: text, at: at,
                providerID: mail.messageID.map { "<\($0)>" }, subject: mail.subject,
                automatic: kind == .autoReply, threadContactID: thread,
                references: mail.references + mail.inReplyTo.filter { !mail.references.contains($0) }, unauthenticated: unauthenticated)
            return .conversation(outcome)
        }
    }

    /// Why the sender of `mail` is not proven, by the tenant's receiving server
    /// (`email.authserv_id`); nil when it is, or when the tenant names no server to believe.
    func authentication(of mail: MailMessage, from: String, tenant: String) async throws -> Reason? {
        guard let server = try await store.rules(tenant).settings.value("email.authserv_id") else { return nil }
        let domain = from.split(separator: "@").last.map(String.init) ?? from
        switch SenderAuthentication.verdict(results: mail.headers.all("Authentication-Results"), trustedServer: server, fromDomain: domain) {
        case .pass: return nil
        case .fail(let why): return Reason("unauthenticated_sender", why)
        }
    }

    /// The debtor whose case a reply or auto-reply belongs to (its sender's, else its thread's),
    /// told without acting on it; nil for bounces, complaints and mail from strangers.
    public func debtor(of raw: [UInt8], tenant: String) async throws -> String? {
        let mail = MIMEParser.parse(raw)
        switch MailClassifier.classify(mail) {
        case .bounce, .feedback: return nil
        case .reply, .autoReply:
            if let from = mail.fromAddress, let contact = try await store.read({ try await $0.contacts(tenant, email: from).first }) {
                return contact.debtorID
            }
            guard let thread = try await threadContact(mail, tenant: tenant) else { return nil }
            return try await store.read { try await $0.contact(tenant, id: thread)?.debtorID }
        }
    }

    /// A malformed message is kept byte for byte next to the documents and a person is told where:
    /// whatever the parser could not read is never lost.
    func keepMalformed(_ raw: [UInt8], mail: MailMessage, tenant: String, at: Date) async throws {
        try await keep(raw, tenant: tenant, at: at) { file in
            Reason(
                "malformed_mail",
                "mail \(mail.messageID ?? "without a Message-ID") from \(mail.fromAddress ?? "an unreadable sender") is malformed (\(mail.problems.joined(separator: "; "))); kept as \(file)"
            )
        }
    }

    /// A message that could not be handled (`error`) is kept byte for byte and a person is told,
    /// so the mailbox reader can pass it: one bad message never stops a tenant's mail.
    public func setAside(_ raw: [UInt8], tenant: String, at: Date, error: any Error) async throws {
        let mail = MIMEParser.parse(raw)
        try await keep(raw, tenant: tenant, at: at) { file in
            Reason(
                "unhandled_mail",
                "mail \(mail.messageID ?? "without a Message-ID") from \(mail.fromAddress ?? "an unreadable sender") could not be handled (\(String(describing: error).prefix(300))); kept as \(file), nothing done"
            )
        }
    }

    private func keep(_ raw: [UInt8], tenant: String, at: Date, reason: (String) -> Reason) async throws {
        let name = StableHash.hex(String(decoding: raw, as: UTF8.self)) + ".eml"
        let dir = engine.documents.directory.appendingPathComponent(tenant).appendingPathComponent("mail")
        let file = dir.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: file.path) { try Data(raw).write(to: file, options: .atomic) }
        } catch {
            logger.error("cannot keep malformed mail at \(file.path): \(error)")
        }
        let why = reason(file.path)
        _ = try await store.write { s in try await s.addInboxItem(tenant, debtor: nil, kind: .flag, reason: why, messageID: nil, at: at) }
    }

    /// The contact a reply's thread was sent to: from the Message-IDs it references (ours are
    /// `MESSAGE@domain`, `MESSAGE.TENANT@domain` before ids were keyed), else from a `+MESSAGE`
    /// reply address it was sent to.
    func threadContact(_ mail: MailMessage, tenant: String) async throws -> Int64? {
        var ids: [String] = []
        for ref in (mail.inReplyTo + mail.references.reversed()) {
            let local = ref.split(separator: "@").first.map(String.init) ?? ""
            if local.hasSuffix(".\(tenant)") {
                ids.append(String(local.dropLast(tenant.count + 1)))
            } else if local.hasPrefix("msg_") {
                ids.append(local)
            }
        }
        for address in mail.recipientAddresses {
            let local = address.split(separator: "@").first ?? ""
            if let plus = local.firstIndex(of: "+") { ids.append(String(local[local.index(after: plus)...])) }
        }
        guard !ids.isEmpty else { return nil }
        let found = try await store.read { try await $0.messages(tenant, ids: ids) }
        return ids.lazy.compactMap { id in found.first { $0.id == id }?.contactID }.first
    }

    func bounce(_ recipients: [BouncedRecipient], mail: MailMessage, tenant: String, at: Date) async throws -> Result {
        var hard: [String] = []
        var soft: [String] = []
        try await store.write { s in
            for r in recipients where r.reason != .delivered {
                let contacts = try await s.contacts(tenant, email: r.address)
                let code = r.status ?? "no status"
                for c in contacts {
                    if r.hard {
                        try await s.addSuppression(
                            tenant,
                            Suppression(
                                contactID: c.id, channel: .email,
                                reason: "hard bounce \(code) (\(r.reason.rawValue)): \(r.diagnostic?.prefix(120) ?? "address does not exist")"), now: at)
                        try await s.recordDecision(
                            tenant, debtor: c.debtorID, at: at, action: .wait,
                            reasons: [
                                Reason(
                                    "hard_bounce",
                                    "\(r.address) bounced (\(code), \(r.reason.rawValue)): the address is invalid; email to \(c.name) stops and the ladder moves on"
                                )
                            ])
                    } else {
                        try await s.recordDecision(
                            tenant, debtor: c.debtorID, at: at, action: .wait,
                            reasons: [
                                Reason(
                                    "soft_bounce",
                                    "\(r.address) bounced (\(code), \(r.reason.rawValue)), which says nothing against the address: later attempts go on")
                            ])
                    }
                    try await s.schedule(tenant, subjects: [c.debtorID], at: at, mode: .earliest)
                }
                if contacts.isEmpty { continue }
                if r.hard { hard.append(r.address) } else { soft.append(r.address) }
            }
        }
        try await replan(hard + soft, tenant: tenant, at: at)
        return .bounce(hard: hard, soft: soft)
    }

    /// Re-plans the cases of `addresses` at once, so their status shows what the mail changed.
    func replan(_ addresses: [String], tenant: String, at: Date) async throws {
        var debtors = Set<String>()
        for a in addresses { for c in try await store.read({ try await $0.contacts(tenant, email: a) }) { debtors.insert(c.debtorID) } }
        for d in debtors.sorted() { try await engine.replan(tenant: tenant, debtor: d, at: at) }
    }
}

/// Reads a tenant's mailbox over IMAP: every message after the stored cursor (UIDVALIDITY + last
/// UID) is handled, marked seen (and moved when a processed mailbox is set), and the cursor moved
/// past it. A crash in between re-reads the message; the engine recognises it by its Message-ID.
public struct MailboxReader: Sendable {
    let store: Store
    let intake: MailIntake
    let logger: Logger

    /// Creates the reader.
    public init(store: Store, intake: MailIntake, logger: Logger = Logger(label: "overdue.mail")) {
        self.store = store
        self.intake = intake
        self.logger = logger
    }

    /// What one read did.
    public struct Report: Sendable {
        /// Messages read.
        public var read = 0
        /// Replies and auto-replies handed to the conversation engine.
        public var conversations = 0
        /// Bounces.
        public var bounces = 0
        /// Complaints.
        public var complaints = 0
        /// Messages that could not be handled: kept raw, flagged for a person, passed.
        public var setAside = 0
    }

    /// Reads `tenant`'s new mail now, as of `at`; nil when the tenant reads no mailbox.
    public func read(tenant: String, at: Date) async throws -> Report? {
        let settings = try await store.rules(tenant).settings
        guard let account = try EmailAccount.from(settings), let imapConfig = account.imap else { return nil }
        let imap = try await IMAPSession.connect(imapConfig, logger: logger)
        var report = Report()
        do {
            let status = try await imap.select(account.mailbox)
            let cursor = try await store.read { try await $0.mailCursor(tenant, mailbox: account.mailbox) }
            var last: UInt32 = cursor?.uidValidity == status.uidValidity ? cursor!.lastUID : 0
            if let cursor, cursor.uidValidity != status.uidValidity {
                logger.warning(
                    "\(account.mailbox) of \(tenant): UIDVALIDITY changed (\(cursor.uidValidity) → \(status.uidValidity)); reading it again from the start")
            }
            if let processed = account.processedMailbox { try await imap.create(processed) }
            for uid in try await imap.uids(from: last + 1) {
                if let raw = try await imap.fetch(uid: uid) {
                    report.read += 1
                    do {
                        switch try await intake.handle(raw, tenant: tenant, at: at) {
                        case .conversation: report.conversations += 1
                        case .bounce: report.bounces += 1
                        case .feedback: report.complaints += 1
                        case .ignored: break
                        }
                    } catch  where !Self.isPassing(error) {
                        // The message's own fault: kept and flagged, and the mail after it is read.
                        logger.error("mail UID \(uid) of \(tenant) could not be handled (\(error)); kept for a person and passed")
                        try await intake.setAside(raw, tenant: tenant, at: at, error: error)
                        report.setAside += 1
                    }
                    try await imap.markSeen(uid: uid)
                    if let processed = account.processedMailbox { try await imap.move(uid: uid, to: processed) }
                }
                last = uid
                let done = last
                try await store.write { try await $0.saveMailCursor(tenant, mailbox: account.mailbox, uidValidity: status.uidValidity, lastUID: done, now: at) }
            }
        } catch {
            await imap.logout()
            throw error
        }
        await imap.logout()
        return report
    }

    /// Whether `error` is the system's, not the message's (the database is unreachable, the task is
    /// cancelled): then the message is read again next time instead of being set aside.
    static func isPassing(_ error: any Error) -> Bool { error is CancellationError || isTransientStoreError(error) }
}

/// The live channels: email through each tenant's SMTP server when it has one (else the sandbox),
/// texts and calls through each tenant's provider (else the sandbox), whose APIs are at the
/// operator's `endpoints`.
public func liveChannels(
    store: Store, documents: DocumentLibrary, endpoints: ProviderEndpoints = .standard, logger: Logger = Logger(label: "overdue.channels")
) -> [Channel: any ChannelAdapter] {
    let email = EmailChannel(
        account: { tenant in try EmailAccount.from(try await store.rules(tenant).settings) },
        attachments: { ref in
            let dir = documents.directory
            // Files are content-addressed: TENANT/SHA256.ext; the tenant is not known here, so look in each.
            for tenantDir in (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [] {
                let ext = (ref.filename as NSString).pathExtension.lowercased()
                let file = tenantDir.appendingPathComponent(ref.sha256 + (ext.isEmpty ? "" : "." + ext))
                if let data = try? Data(contentsOf: file) { return [UInt8](data) }
            }
            return nil
        },
        logger: logger)
    let sms = SMSChannel(
        account: { tenant in try SMSAccount.from(try await store.rules(tenant).settings, tenant: tenant, endpoints: endpoints) }, logger: logger)
    let voice = VoiceChannel(settings: { tenant in try await store.rules(tenant).settings }, endpoints: endpoints, logger: logger)
    return [.email: email, .sms: sms, .voice: voice]
}

/// Watches every tenant's mailbox, on the leader only (one reader per mailbox): new mail is read
/// at once when the server offers IDLE (a second connection waits for it, up to `idle`), else every
/// `every`. Tenants that set up a mailbox later are picked up within `every`.
public struct MailService: Service {
    let store: Store
    let reader: MailboxReader
    let coordinator: Coordinator
    let every: Duration
    let idle: Duration
    let logger: Logger

    /// Creates the service.
    public init(store: Store, reader: MailboxReader, coordinator: Coordinator, every: Duration = .seconds(60), idle: Duration = .seconds(600), logger: Logger) {
        self.store = store
        self.reader = reader
        self.coordinator = coordinator
        self.every = every
        self.idle = idle
        self.logger = logger
    }

    /// Runs until the service group shuts down.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            var watched = Set<String>()
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if await coordinator.isLeader {
                    for tenant in (try? await store.read { try await $0.tenants() }) ?? [] where !watched.contains(tenant) {
                        watched.insert(tenant)
                        group.addTask { await self.watch(tenant) }
                    }
                }
                // Leadership and new tenants are looked for often; each mailbox has its own pace.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: min(every, .seconds(2))) }
            }
            group.cancelAll()
        }
    }

    /// Reads `tenant`'s mail, then waits for more (IDLE or the timer), while this process leads.
    func watch(_ tenant: String) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard await coordinator.isLeader else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
                continue
            }
            var account: EmailAccount?
            do {
                account = try EmailAccount.from(try await store.rules(tenant).settings)
                if let r = try await reader.read(tenant: tenant, at: store.clock.now()), r.read > 0 {
                    logger.info(
                        "mail for \(tenant): \(r.read) read, \(r.conversations) conversation(s), \(r.bounces) bounce(s), \(r.complaints) complaint(s), \(r.setAside) set aside"
                    )
                }
            } catch {
                logger.error("reading \(tenant)'s mailbox failed: \(error)")
            }
            guard let account, let config = account.imap, await waitForMail(config, mailbox: account.mailbox) else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
                continue
            }
        }
    }

    /// Waits on IDLE until mail arrives or `idle` passes; false when the server cannot IDLE (or failed).
    func waitForMail(_ config: IMAPConfiguration, mailbox: String) async -> Bool {
        guard let session = try? await IMAPSession.connect(config, logger: logger) else { return false }
        defer { Task { await session.logout() } }
        guard session.capabilities.contains("IDLE"), (try? await session.select(mailbox)) != nil else { return false }
        let seconds = Int64(idle.components.seconds)
        return await withTaskCancellationHandler {
            do {
                _ = try await session.idle(timeout: .seconds(seconds))
                return true
            } catch {
                return false
            }
        } onCancel: {
            session.abort()
        }
    }
}

import Foundation
import Logging
import OverdueChannels
import OverdueCore
import OverdueStore

/// Carries a recorded message to its channel: record before send (the caller inserted it), take
/// the sender's rate slot, hand it to the provider, book another try after a temporary failure,
/// reconcile what a crashed run left pending, and save the provider's answer. Shared by the
/// dispatcher (ladder attempts, booked calls) and the conversation engine (answers, approvals).
public struct Delivery: Sendable {
    let store: Store
    let channels: [Channel: any ChannelAdapter]
    let logger: Logger

    /// Delivery through `channels` (the sandbox for every channel left out).
    public init(store: Store, channels: [Channel: any ChannelAdapter] = [:], logger: Logger = Logger(label: "overdue.dispatcher")) {
        self.store = store
        var c = channels
        for ch in Channel.allCases where c[ch] == nil { c[ch] = SandboxChannel() }
        self.channels = c
        self.logger = logger
    }

    /// The adapter serving `channel`.
    func adapter(_ channel: Channel) -> any ChannelAdapter { channels[channel] ?? SandboxChannel() }

    /// Delivers `record` and saves the provider's answer; returns the message as saved.
    func send(_ record: MessageRecord, tenant: String) async throws -> MessageRecord {
        var record = record
        await deliver(&record, tenant: tenant)
        let done = record
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return done
    }

    /// Sends a booked call (or a message booked for another try) whose time has come, unless the
    /// contact has since opted out.
    func sendBooked(_ booked: MessageRecord, tenant: String, suppressions: [Suppression], now: Date) async throws -> MessageRecord {
        var record = booked
        if let cid = booked.contactID, let s = suppressions.first(where: { $0.contactID == cid && $0.blocks(booked.channel) }) {
            record.status = .cancelled
            record.error = "not sent: \(booked.contactName ?? "the contact") opted out (\(s.reason))"
        } else {
            record.status = .pending
            record.at = now
            try await store.write { s in try await s.setMessageStatus(tenant, id: record.id, status: .pending, at: now) }
            await deliver(&record, tenant: tenant)
        }
        let done = record
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return done
    }

    /// Hands a message to the provider and notes the answer on `record`.
    /// A refused address is recorded at once: the contact is never tried on that channel again
    /// (the planner moves the ladder on, with the reason).
    func deliver(_ record: inout MessageRecord, tenant: String) async {
        let adapter = adapter(record.channel)
        // Email carries unsubscribe (and, when on, tracking) links: their secret is made once and
        // kept with the message (saved with the delivery).
        if record.channel == .email && record.linkToken == nil { record.linkToken = SecretToken.make() }
        if record.channel == .sms, let wait = await rateLimitWait(&record, tenant: tenant) {
            logger.debug("\(record.id): \(wait)")
            return
        }
        var outbound = OutboundMessage(record)
        outbound.tenant = tenant
        if let answered = record.inReplyTo, let inbound = try? await store.read({ try await $0.message(tenant, id: answered) }),
            inbound.channel == .email, inbound.key.hasPrefix("in/<")
        {
            // An answer threads under the debtor's message (its Message-ID is the inbound key).
            let mid = String(inbound.key.dropFirst(4).dropLast())
            outbound.inReplyTo = mid
            outbound.references = inbound.references + [mid]
        }
        record.deliveryAttempts += 1
        outbound.attempt = record.deliveryAttempts
        outbound.firstTriedAt = record.at.addingTimeInterval(-Self.retryBackoff.prefix(record.deliveryAttempts - 1).reduce(0, +))
        do {
            let receipt = try await adapter.send(outbound)
            record.status = .sent
            record.providerID = receipt.providerID
            record.error = nil
        } catch {
            if case .temporary = error, record.deliveryAttempts <= Self.retryBackoff.count {
                // Not taken this time: another try is booked, later each time (never resent blindly:
                // the provider said it did not take the message).
                let delay = Self.retryBackoff[record.deliveryAttempts - 1]
                record.status = .scheduled
                record.at = record.at.addingTimeInterval(delay)
                record.error = "try \(record.deliveryAttempts) failed (\(error)); next try at \(Timestamp.format(record.at))"
                logger.warning(
                    "sending \(record.id) over \(outbound.channel.rawValue) failed temporarily (try \(record.deliveryAttempts)); retrying at \(Timestamp.format(record.at)): \(error)"
                )
                return
            }
            record.status = .failed
            record.error = record.deliveryAttempts > 1 ? "gave up after \(record.deliveryAttempts) tries: \(error)" : error.description
            logger.error("sending \(record.id) over \(outbound.channel.rawValue) failed: \(error)")
            if case .rejectedAddress(let why) = error, let cid = record.contactID {
                let channel = record.channel
                try? await store.write { s in
                    try await s.addSuppression(tenant, Suppression(contactID: cid, channel: channel, reason: "address refused: \(why)"), now: record.at)
                }
            }
        }
    }

    static let rateWait = "waiting for the sender's rate limit:"

    /// Texts through a real provider take their sender number's next free instant (carriers allow
    /// a long code about one text a second): a text whose instant is later is booked for then
    /// instead of sent now (the dispatcher never sleeps in a request). Returns why it waits, or
    /// nil to send now.
    func rateLimitWait(_ record: inout MessageRecord, tenant: String) async -> String? {
        if record.error?.hasPrefix(Self.rateWait) == true {
            // Its instant was reserved when it was booked.
            record.error = nil
            return nil
        }
        guard let settings = try? await store.rules(tenant).settings, settings.smsProvider != .sandbox else {
            return nil
        }
        let perSecond = settings.smsPerSecond
        let sender = settings.value("sms.from") ?? settings.value("sender.phone") ?? record.from ?? "default"
        let wanted = record.at
        guard let slot = try? await store.write({ try await $0.reserveSendSlot(tenant, sender: sender, at: wanted, perSecond: perSecond) }),
            slot > wanted
        else { return nil }
        record.status = .scheduled
        record.at = slot
        record.error = "\(Self.rateWait) \(sender) sends \(perSecond) a second; this text goes at \(Timestamp.format(slot))"
        return record.error
    }

    /// Seconds before each further try after a temporary failure (1 min, 5 min, 30 min, 2 h, 6 h).
    static let retryBackoff: [TimeInterval] = [60, 300, 1800, 7200, 21_600]

    /// An attempt an earlier run recorded. If that run never learned the provider's answer (it died
    /// between recording and sending), the provider is asked: a message it has is marked sent, one it
    /// has never seen is sent now, and one it cannot tell about stays pending for a person — never
    /// blindly resent. Returns the message when it was sent now.
    func reconcile(key: String, tenant: String, channel: Channel) async throws -> MessageRecord? {
        guard var existing = try await store.read({ try await $0.message(tenant, key: key) }), existing.status == .pending else { return nil }
        let trace: DeliveryTrace
        do { trace = try await adapter(channel).trace(key: key) } catch { trace = .unknown }
        switch trace {
        case .delivered(let receipt):
            existing.status = .sent
            existing.providerID = receipt.providerID
            logger.notice("attempt \(key) was delivered before a crash; marked sent")
        case .notFound:
            await deliver(&existing, tenant: tenant)
            logger.notice("attempt \(key) was recorded but never sent before a crash; sent now")
        case .unknown:
            logger.warning("attempt \(key) was recorded before a crash and the provider cannot say whether it was sent; left pending, not resent")
            return nil
        }
        let done = existing
        try await store.write { s in try await s.saveDelivery(tenant, done) }
        return trace == .notFound ? done : nil
    }

    /// The sender identity for `channel`.
    static func sender(_ channel: Channel, settings: TenantSettings, tenant: String) -> String {
        channel == .email ? (settings.value("sender.email") ?? "ar@\(tenant).overdue.invalid") : (settings.value("sender.phone") ?? "sandbox")
    }
}

import Foundation
import Logging
import OverdueCore

typealias AccountError = EmailAccount.AccountError

/// A tenant's SMS set-up: its provider, an optional secondary for failover, its sender number.
public struct SMSAccount: Sendable {
    /// The provider texts go through.
    public var primary: any SMSProvider
    /// Where texts go when the primary keeps failing (sent there once, never twice).
    public var secondary: (any SMSProvider)?
    /// Sender number, E.164.
    public var from: String
    /// The server's public URL (delivery-status callbacks), if set.
    public var publicURL: String?
    /// The tenant.
    public var tenant: String
    /// Tries through the primary before the secondary is used.
    public var failoverAfter = 2

    /// Reads the set-up from `settings`; nil for the sandbox.
    public static func from(_ settings: TenantSettings, tenant: String, endpoints: ProviderEndpoints = .standard) throws -> SMSAccount? {
        let kind = settings.smsProvider
        guard kind != .sandbox else { return nil }
        let name = kind.rawValue
        func provider(_ kind: SMSProviderKind) throws -> any SMSProvider {
            func required(_ key: String) throws -> String {
                guard let v = settings.value(key), !v.isEmpty else { throw AccountError(description: "sms uses \(kind.rawValue) but \(key) is not set") }
                return v
            }
            switch kind {
            case .twilio:
                return TwilioSMS(
                    accountSID: try required("twilio.account_sid"), authToken: try required("twilio.auth_token"),
                    baseURL: endpoints.twilio)
            case .vonage:
                return VonageSMS(
                    apiKey: try required("vonage.api_key"), apiSecret: try required("vonage.api_secret"),
                    baseURL: endpoints.vonage)
            case .plivo:
                return PlivoSMS(
                    authID: try required("plivo.auth_id"), authToken: try required("plivo.auth_token"),
                    baseURL: endpoints.plivo)
            case .sandbox:
                throw AccountError(description: "the sandbox is not a provider to send through")
            }
        }
        guard let from = settings.value("sms.from") ?? settings.value("sender.phone") else {
            throw AccountError(description: "sms.provider is \(name) but neither sms.from nor sender.phone is set")
        }
        let secondary = try settings.smsSecondary.map { try provider($0) }
        return SMSAccount(primary: try provider(kind), secondary: secondary, from: from, publicURL: settings.value("public_url"), tenant: tenant)
    }

    /// The delivery-status callback for `provider`.
    public func statusCallback(_ provider: any SMSProvider) -> String? {
        publicURL.map { "\(trimmedBase($0))/webhooks/\(provider.name)/status?tenant=\(tenant)" }
    }
}

/// SMS through the tenant's provider (the sandbox when none is set). Provider ids are stored as
/// `PROVIDER:ID`, so status callbacks find their message whichever provider sent it.
public struct SMSChannel: ChannelAdapter {
    let account: @Sendable (String) async throws -> SMSAccount?
    let transport: any ProviderTransport
    let timeout: Duration
    let logger: Logger
    /// "Now", for asking a provider what it took since a message was first tried.
    let clock: any Clock

    /// Creates the channel.
    public init(
        account: @escaping @Sendable (String) async throws -> SMSAccount?, transport: any ProviderTransport = HTTPProviderTransport(),
        timeout: Duration = .seconds(15), logger: Logger = Logger(label: "overdue.sms"), clock: any Clock = SystemClock()
    ) {
        self.clock = clock
        self.account = account
        self.transport = transport
        self.timeout = timeout
        self.logger = logger
    }

    /// The channels this adapter serves.
    public var channels: Set<OverdueCore.Channel> { [.sms] }

    /// Hands the message to the provider (`ChannelAdapter`).
    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        let found: SMSAccount?
        do { found = try await message.tenant.asyncMap(account) ?? nil } catch { throw .permanent("sms settings: \(error)") }
        guard let acct = found else { return try await SandboxChannel().send(message) }
        var sms = SMSRequest(id: message.id, to: message.to, from: acct.from, body: message.body, statusCallback: nil)
        if let secondary = acct.secondary, message.attempt > acct.failoverAfter {
            // Failing over must never send twice: the primary is asked first whether it took the text.
            sms.statusCallback = acct.statusCallback(acct.primary)
            switch await lookup(acct.primary, sms, since: message.firstTriedAt ?? clock.now()) {
            case .delivered(let r):
                return DeliveryReceipt(providerID: "\(acct.primary.name):\(r.providerID)")
            case .unknown:
                throw .temporary("\(acct.primary.name) cannot tell whether it took the text; not failing over to \(secondary.name) (that could send it twice)")
            case .notFound:
                logger.warning("sms \(message.id): \(acct.primary.name) failed \(message.attempt - 1) times; sending through \(secondary.name)")
                sms.statusCallback = acct.statusCallback(secondary)
                return try await send(sms, via: secondary)
            }
        }
        sms.statusCallback = acct.statusCallback(acct.primary)
        return try await send(sms, via: acct.primary)
    }

    func send(_ sms: SMSRequest, via provider: any SMSProvider) async throws(DeliveryError) -> DeliveryReceipt {
        let response: ProviderResponse
        do { response = try await transport.perform(provider.sendRequest(sms), timeout: timeout) } catch {
            throw .temporary("\(provider.name): no answer (\(error))")
        }
        let receipt = try provider.receipt(response)
        return DeliveryReceipt(providerID: "\(provider.name):\(receipt.providerID)")
    }

    func lookup(_ provider: any SMSProvider, _ sms: SMSRequest, since: Date) async -> DeliveryTrace {
        guard let request = provider.lookupRequest(sms, at: since) else { return .unknown }
        guard let response = try? await transport.perform(request, timeout: timeout) else { return .unknown }
        return provider.found(sms, in: response)
    }
}

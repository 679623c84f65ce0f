import Foundation
import Logging
import OverdueCore

/// A call to place: who, from which number, for which message of which tenant.
public struct CallRequest: Hashable, Sendable {
    /// Overdue's message id of the call.
    public var id: String
    /// The tenant.
    public var tenant: String
    /// Callee, E.164.
    public var to: String
    /// Caller ID, E.164.
    public var from: String
    /// The server's public URL: the provider fetches the call's words and reports progress there.
    public var base: String
    /// Whether the call is recorded.
    public var record: Bool
}

/// A voice provider's API for placing calls: the request is built and the answer read by pure
/// functions; the conversation itself runs through the provider's webhooks.
public protocol VoiceProvider: Sendable {
    /// `twilio`, …
    var name: String { get }
    /// The request that places `call`.
    func callRequest(_ call: CallRequest) -> ProviderRequest
    /// The provider's answer, read.
    func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt
}

/// Twilio Programmable Voice: `POST /Accounts/{sid}/Calls.json` places a call whose TwiML comes
/// from Overdue's voice webhook, with answering-machine detection and status callbacks.
public struct TwilioVoice: VoiceProvider {
    /// The account (its SID, token and API base URL are Twilio's SMS ones).
    public var account: TwilioSMS

    /// Creates the provider.
    public init(account: TwilioSMS) { self.account = account }

    /// The provider's name, as settings spell it.
    public var name: String { "twilio" }

    /// Twilio fetches the call's TwiML from `base/webhooks/twilio/voice` when it is answered.
    public func callRequest(_ call: CallRequest) -> ProviderRequest {
        let hook = "\(trimmedBase(call.base))/webhooks/twilio/voice"
        let q = "tenant=\(call.tenant)&message=\(call.id)"
        var form = [
            ("To", call.to), ("From", call.from), ("Url", "\(hook)?\(q)"), ("Method", "POST"),
            ("StatusCallback", "\(hook)/status?\(q)"), ("StatusCallbackMethod", "POST"),
        ]
        for event in ["initiated", "ringing", "answered", "completed"] { form.append(("StatusCallbackEvent", event)) }
        // Answering-machine detection: the answer's TwiML request says who picked up (AnsweredBy).
        form.append(("MachineDetection", "Enable"))
        form.append(("Timeout", "30"))
        if call.record {
            form += [("Record", "true"), ("RecordingStatusCallback", "\(hook)/recording?\(q)"), ("RecordingStatusCallbackMethod", "POST")]
        }
        return ProviderRequest(
            method: "POST", url: "\(account.baseURL)/2010-04-01/Accounts/\(account.accountSID)/Calls.json",
            headers: [
                "Authorization": basicAuth(account.accountSID, account.authToken), "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            ],
            body: Array(Form.encode(form).utf8))
    }

    /// The call SID, or why not.
    public func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt { try account.receipt(response) }
}

/// Calls through the tenant's voice provider (`voice.provider`; the sandbox when none is set).
public struct VoiceChannel: ChannelAdapter {
    let settings: @Sendable (String) async throws -> TenantSettings
    let transport: any ProviderTransport
    let endpoints: ProviderEndpoints
    let logger: Logger

    /// Creates the channel; the providers' APIs are at `endpoints` (the operator's).
    public init(
        settings: @escaping @Sendable (String) async throws -> TenantSettings, transport: any ProviderTransport = HTTPProviderTransport(),
        endpoints: ProviderEndpoints = .standard, logger: Logger = Logger(label: "overdue.voice")
    ) {
        self.settings = settings
        self.transport = transport
        self.endpoints = endpoints
        self.logger = logger
    }

    /// The channels this adapter serves.
    public var channels: Set<OverdueCore.Channel> { [.voice] }

    /// Hands the message to the provider (`ChannelAdapter`).
    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        guard let tenant = message.tenant else { return try await SandboxChannel().send(message) }
        let s: TenantSettings
        do { s = try await settings(tenant) } catch { throw .permanent("voice settings: \(error)") }
        guard let provider = try Self.provider(s, endpoints: endpoints) else { return try await SandboxChannel().send(message) }
        guard let base = s.value("public_url") else {
            throw .permanent("voice.provider is \(provider.name) but public_url is not set (the provider fetches the call's words from it)")
        }
        guard let from = s.value("voice.from") ?? s.value("sms.from") ?? s.value("sender.phone") else {
            throw .permanent("voice.provider is \(provider.name) but no caller ID is set (voice.from, sms.from or sender.phone)")
        }
        let request = provider.callRequest(CallRequest(id: message.id, tenant: tenant, to: message.to, from: from, base: base, record: s.isOn("voice.record")))
        let response: ProviderResponse
        do { response = try await transport.perform(request, timeout: .seconds(15)) } catch { throw .temporary("\(provider.name): no answer (\(error))") }
        let receipt = try provider.receipt(response)
        return DeliveryReceipt(providerID: "\(provider.name):\(receipt.providerID)")
    }

    /// The tenant's voice provider, nil for the sandbox.
    static func provider(_ s: TenantSettings, endpoints: ProviderEndpoints) throws(DeliveryError) -> (any VoiceProvider)? {
        switch s.voiceProvider {
        case .sandbox: return nil
        case .twilio:
            guard let sid = s.value("twilio.account_sid"), let token = s.value("twilio.auth_token") else {
                throw .permanent("voice.provider is twilio but twilio.account_sid or twilio.auth_token is not set")
            }
            return TwilioVoice(account: TwilioSMS(accountSID: sid, authToken: token, baseURL: endpoints.twilio))
        }
    }
}

import Foundation
import Logging
import OverdueCore

/// Twilio Programmable Voice: `POST /Accounts/{sid}/Calls.json` places a call whose TwiML comes
/// from Overdue's voice webhook, with answering-machine detection and status callbacks.
public struct TwilioVoice: Sendable {
    /// The account (its SID, token and API base URL are Twilio's SMS ones).
    public var account: TwilioSMS

    /// Creates the provider.
    public init(account: TwilioSMS) { self.account = account }

    /// The request that calls `to` from `from` for message `id` of `tenant`; Twilio fetches the
    /// call's TwiML from `base/webhooks/twilio/voice` when it is answered.
    public func callRequest(id: String, tenant: String, to: String, from: String, base: String, record: Bool) -> ProviderRequest {
        let hook = "\(trimmedBase(base))/webhooks/twilio/voice"
        let q = "tenant=\(tenant)&message=\(id)"
        var form = [("To", to), ("From", from), ("Url", "\(hook)?\(q)"), ("Method", "POST"),
                    ("StatusCallback", "\(hook)/status?\(q)"), ("StatusCallbackMethod", "POST")]
        for event in ["initiated", "ringing", "answered", "completed"] { form.append(("StatusCallbackEvent", event)) }
        // Answering-machine detection: the answer's TwiML request says who picked up (AnsweredBy).
        form.append(("MachineDetection", "Enable"))
        form.append(("Timeout", "30"))
        if record {
            form += [("Record", "true"), ("RecordingStatusCallback", "\(hook)/recording?\(q)"), ("RecordingStatusCallbackMethod", "POST")]
        }
        return ProviderRequest(method: "POST", url: "\(account.baseURL)/2010-04-01/Accounts/\(account.accountSID)/Calls.json",
                               headers: ["Authorization": basicAuth(account.accountSID, account.authToken), "Content-Type": "application/x-www-form-urlencoded",
                                         "Accept": "application/json"],
                               body: Array(Form.encode(form).utf8))
    }

    /// Twilio's answer: the call SID, or why not.
    public func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt { try account.receipt(response) }
}

/// Calls through the tenant's voice provider (the sandbox when none is set).
public struct VoiceChannel: ChannelAdapter {
    let settings: @Sendable (String) async throws -> TenantSettings
    let transport: any ProviderTransport
    let logger: Logger

    /// Creates the channel.
    public init(settings: @escaping @Sendable (String) async throws -> TenantSettings, transport: any ProviderTransport = HTTPProviderTransport(),
                logger: Logger = Logger(label: "overdue.voice")) {
        self.settings = settings
        self.transport = transport
        self.logger = logger
    }

    public var channels: Set<OverdueCore.Channel> { [.voice] }

    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        guard let tenant = message.tenant else { return try await SandboxChannel().send(message) }
        let s: TenantSettings
        do { s = try await settings(tenant) } catch { throw .permanent("voice settings: \(error)") }
        guard s.value("voice.provider") == "twilio" else { return try await SandboxChannel().send(message) }
        guard let sid = s.value("twilio.account_sid"), let token = s.value("twilio.auth_token") else {
            throw .permanent("voice.provider is twilio but twilio.account_sid or twilio.auth_token is not set")
        }
        guard let base = s.value("public_url") else { throw .permanent("voice.provider is twilio but public_url is not set (Twilio fetches the call's words from it)") }
        guard let from = s.value("voice.from") ?? s.value("sms.from") ?? s.value("sender.phone") else {
            throw .permanent("voice.provider is twilio but no caller ID is set (voice.from, sms.from or sender.phone)")
        }
        let twilio = TwilioVoice(account: TwilioSMS(accountSID: sid, authToken: token, baseURL: s.value("twilio.api_url") ?? "https://api.twilio.com"))
        let request = twilio.callRequest(id: message.id, tenant: tenant, to: message.to, from: from, base: base, record: s.value("voice.record") == "on")
        let response: ProviderResponse
        do { response = try await transport.perform(request, timeout: .seconds(15)) } catch { throw .temporary("twilio: no answer (\(error))") }
        let receipt = try twilio.receipt(response)
        return DeliveryReceipt(providerID: "twilio:\(receipt.providerID)")
    }
}

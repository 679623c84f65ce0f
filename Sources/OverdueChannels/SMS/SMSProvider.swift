import Foundation

/// One text to hand to an SMS provider.
public struct SMSRequest: Hashable, Sendable {
    /// Overdue's message id (the provider's client reference where it has one).
    public var id: String
    /// Recipient, E.164.
    public var to: String
    /// Sender number, E.164.
    public var from: String
    /// The text.
    public var body: String
    /// Where the provider reports delivery (`…/webhooks/PROVIDER/status?tenant=T`), when known.
    public var statusCallback: String?

    /// Creates a request.
    public init(id: String, to: String, from: String, body: String, statusCallback: String?) {
        self.id = id
        self.to = to
        self.from = from
        self.body = body
        self.statusCallback = statusCallback
    }
}

/// An SMS provider's API: requests are built and answers read by pure functions; `transport`
/// carries them.
public protocol SMSProvider: Sendable {
    /// `twilio`, `vonage` or `plivo`.
    var name: String { get }
    /// The request that sends `sms`.
    func sendRequest(_ sms: SMSRequest) -> ProviderRequest
    /// The provider's answer to a send, read.
    func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt
    /// The request that looks up messages sent to `sms.to` on the day of `at`, if the provider can.
    func lookupRequest(_ sms: SMSRequest, at: Date) -> ProviderRequest?
    /// Whether the lookup's answer holds `sms` (its provider id when it does).
    func found(_ sms: SMSRequest, in response: ProviderResponse) -> DeliveryTrace
}

extension SMSProvider {
    /// The request that asks the provider whether it has the text (nil: it cannot be asked).
    public func lookupRequest(_ sms: SMSRequest, at: Date) -> ProviderRequest? { nil }
    /// What the lookup answer says about the text.
    public func found(_ sms: SMSRequest, in response: ProviderResponse) -> DeliveryTrace { .unknown }
}

func basicAuth(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}

func trimmedBase(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

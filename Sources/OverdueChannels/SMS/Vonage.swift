import Foundation
import OverdueCore

/// Vonage's SMS API 1.2.0: `POST /sms/json`, form-encoded, with the API key and secret in the
/// form; numbers without the `+`; `type=unicode` when the text needs UCS-2.
public struct VonageSMS: SMSProvider {
    /// API key.
    public var apiKey: String
    /// API secret (never logged).
    public var apiSecret: String
    /// API base URL (default `https://rest.nexmo.com`).
    public var baseURL: String

    /// Creates the provider.
    public init(apiKey: String, apiSecret: String, baseURL: String = "https://rest.nexmo.com") {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.baseURL = trimmedBase(baseURL)
    }

    /// The provider's name, as settings spell it.
    public var name: String { "vonage" }

    /// The HTTP request that sends the text, per the provider's API.
    public func sendRequest(_ sms: SMSRequest) -> ProviderRequest {
        var form = [
            ("api_key", apiKey), ("api_secret", apiSecret), ("from", Self.digits(sms.from)), ("to", Self.digits(sms.to)), ("text", sms.body),
            ("client-ref", sms.id),
        ]
        if SMSText.measure(sms.body).encoding == .ucs2 { form.append(("type", "unicode")) }
        if let cb = sms.statusCallback { form.append(("callback", cb)) }
        return ProviderRequest(
            method: "POST", url: "\(baseURL)/sms/json", headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Array(Form.encode(form).utf8))
    }

    static func digits(_ e164: String) -> String { e164.filter(\.isNumber) }

    /// Status codes: 1 throttled and 5 internal error are worth another try; 6 (unroutable
    /// number), 7 (number barred) and 33 (number deactivated) say the number cannot take texts.
    static let temporaryCodes: Set<String> = ["1", "5"]
    static let addressCodes: Set<String> = ["6", "7", "33"]

    /// The provider's answer to a send, as a receipt or a delivery error.
    public func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt {
        guard (200..<300).contains(response.status) else {
            throw .http(response.status, "Vonage: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        guard let first = (response.json?["messages"] as? [[String: Any]])?.first else { throw .temporary("Vonage: unreadable answer") }
        let status = first["status"] as? String ?? "?"
        let text = first["error-text"] as? String ?? ""
        if status == "0", let id = first["message-id"] as? String { return DeliveryReceipt(providerID: id) }
        if Self.temporaryCodes.contains(status) { throw .temporary("Vonage status \(status): \(text)") }
        if Self.addressCodes.contains(status) { throw .rejectedAddress("Vonage status \(status): \(text)") }
        throw .permanent("Vonage status \(status): \(text)")
    }
}

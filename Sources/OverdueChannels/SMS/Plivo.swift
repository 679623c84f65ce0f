import Foundation

/// Plivo's Message API: `POST /v1/Account/{auth_id}/Message/`, JSON, HTTP Basic with the auth
/// ID and token.
public struct PlivoSMS: SMSProvider {
    /// Auth ID.
    public var authID: String
    /// Auth token (signs webhooks too; never logged).
    public var authToken: String
    /// API base URL (default `https://api.plivo.com`).
    public var baseURL: String

    /// Creates the provider.
    public init(authID: String, authToken: String, baseURL: String = "https://api.plivo.com") {
        self.authID = authID
        self.authToken = authToken
        self.baseURL = trimmedBase(baseURL)
    }

    /// The provider's name, as settings spell it.
    public var name: String { "plivo" }

    /// The HTTP request that sends the text, per the provider's API.
    public func sendRequest(_ sms: SMSRequest) -> ProviderRequest {
        var body: [String: String] = ["src": sms.from, "dst": sms.to, "text": sms.body, "type": "sms"]
        if let cb = sms.statusCallback { body["url"] = cb; body["method"] = "POST" }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return ProviderRequest(
            method: "POST", url: "\(baseURL)/v1/Account/\(authID)/Message/",
            headers: ["Authorization": basicAuth(authID, authToken), "Content-Type": "application/json", "Accept": "application/json"],
            body: [UInt8](data))
    }

    /// The provider's answer to a send, as a receipt or a delivery error.
    public func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt {
        let json = response.json
        if (200..<300).contains(response.status), let id = (json?["message_uuid"] as? [String])?.first { return DeliveryReceipt(providerID: id) }
        let error = json?["error"] as? String ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        if response.status == 400, error.lowercased().contains("dst") || error.lowercased().contains("destination") {
            throw .rejectedAddress("Plivo: \(error)")
        }
        throw .http(response.status, "Plivo: \(error)")
    }
}

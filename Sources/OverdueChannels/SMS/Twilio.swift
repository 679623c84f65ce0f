import Foundation

/// Twilio's Programmable Messaging (REST API 2010-04-01): `POST /Accounts/{sid}/Messages.json`,
/// form-encoded, HTTP Basic with the account SID and auth token.
public struct TwilioSMS: SMSProvider {
    /// Account SID (`AC…`).
    public var accountSID: String
    /// Auth token (signs webhooks too; never logged).
    public var authToken: String
    /// API base URL (default `https://api.twilio.com`; a local stand-in in tests).
    public var baseURL: String

    /// Creates the provider.
    public init(accountSID: String, authToken: String, baseURL: String = "https://api.twilio.com") {
        self.accountSID = accountSID
        self.authToken = authToken
        self.baseURL = trimmedBase(baseURL)
    }

    /// The provider's name, as settings spell it.
    public var name: String { "twilio" }

    var messagesURL: String { "\(baseURL)/2010-04-01/Accounts/\(accountSID)/Messages.json" }

    /// The HTTP request that sends the text, per the provider's API.
    public func sendRequest(_ sms: SMSRequest) -> ProviderRequest {
        var form = [("To", sms.to), ("From", sms.from), ("Body", sms.body)]
        if let cb = sms.statusCallback { form.append(("StatusCallback", cb)) }
        return ProviderRequest(
            method: "POST", url: messagesURL,
            headers: [
                "Authorization": basicAuth(accountSID, authToken), "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            ],
            body: Array(Form.encode(form).utf8))
    }

    /// Error codes that say the number itself cannot take texts: invalid (21211), not a mobile
    /// (21614), unsubscribed with STOP (21610), unreachable destination (21612).
    static let addressCodes: Set<Int> = [21211, 21614, 21610, 21612]

    /// The provider's answer to a send, as a receipt or a delivery error.
    public func receipt(_ response: ProviderResponse) throws(DeliveryError) -> DeliveryReceipt {
        let json = response.json
        if (200..<300).contains(response.status), let sid = json?["sid"] as? String { return DeliveryReceipt(providerID: sid) }
        let code = json?["code"] as? Int ?? 0
        let message = json?["message"] as? String ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        if Self.addressCodes.contains(code) { throw .rejectedAddress("Twilio \(code): \(message)") }
        throw .http(response.status, "Twilio \(code): \(message)")
    }

    /// The request that asks the provider whether it has the text (nil: it cannot be asked).
    public func lookupRequest(_ sms: SMSRequest, at: Date) -> ProviderRequest? {
        // From the day before the first try: a retry may cross midnight.
        let day = LocalDayFormat.utc(at.addingTimeInterval(-86_400))
        let query = Form.encode([("To", sms.to), ("From", sms.from), ("DateSent>", day), ("PageSize", "100")])
        return ProviderRequest(
            method: "GET", url: "\(messagesURL)?\(query)",
            headers: ["Authorization": basicAuth(accountSID, authToken), "Accept": "application/json"], body: [])
    }

    /// What the lookup answer says about the text.
    public func found(_ sms: SMSRequest, in response: ProviderResponse) -> DeliveryTrace {
        guard response.status == 200, let list = response.json?["messages"] as? [[String: Any]] else { return .unknown }
        if let hit = list.first(where: { $0["body"] as? String == sms.body }), let sid = hit["sid"] as? String {
            return .delivered(DeliveryReceipt(providerID: sid))
        }
        return .notFound
    }
}

enum LocalDayFormat {
    static func utc(_ d: Date) -> String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        let p = c.dateComponents([.year, .month, .day], from: d)
        return String(format: "%04d-%02d-%02d", p.year!, p.month!, p.day!)
    }
}

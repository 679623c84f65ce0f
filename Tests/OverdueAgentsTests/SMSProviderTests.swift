import Crypto
import Foundation
import Testing
@testable import OverdueChannels
@testable import OverdueCore
import OverdueTestSupport

@Suite struct WebhookSignatureTests {
    static let signer = ProviderSigner.available

    @Test func twiliosPublishedTestVector() {
        let params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
        #expect(
            WebhookSignature.twilio(url: "https://mycompany.com/myapp.php?foo=1&bar=2", params: params, authToken: "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    }

    @Test(.enabled(if: signer)) func twilioSignaturesFromTheOfficialLibraryHoldAndTamperingBreaksThem() throws {
        let token = "0123456789abcdef0123456789abcdef"
        let url = "https://ar.example.com/webhooks/twilio/sms?tenant=acme"
        let params = [("MessageSid", "SM0123"), ("From", "+13125550101"), ("To", "+13125550000"), ("Body", "will pay friday & thanks = ok")]
        let sig = try ProviderSigner.sign(["provider": "twilio", "token": token, "url": url, "params": params.map { [$0.0, $0.1] }])
        let body = Array(Form.encode(params).utf8)
        #expect(WebhookSignature.verifyTwilio(url: url, body: body, contentType: "application/x-www-form-urlencoded", signature: sig, authToken: token))
        // Twilio may sign with the port spelled out.
        #expect(
            WebhookSignature.verifyTwilio(
                url: "https://ar.example.com:443/webhooks/twilio/sms?tenant=acme", body: body,
                contentType: "application/x-www-form-urlencoded", signature: sig, authToken: token))
        let tamperedBody = Array(Form.encode(params.map { $0.0 == "Body" ? ($0.0, "will pay never") : $0 }).utf8)
        #expect(
            !WebhookSignature.verifyTwilio(url: url, body: tamperedBody, contentType: "application/x-www-form-urlencoded", signature: sig, authToken: token))
        #expect(
            !WebhookSignature.verifyTwilio(
                url: url.replacingOccurrences(of: "acme", with: "other"), body: body, contentType: nil, signature: sig, authToken: token))
        #expect(!WebhookSignature.verifyTwilio(url: url, body: body, contentType: nil, signature: nil, authToken: token))
        #expect(!WebhookSignature.verifyTwilio(url: url, body: body, contentType: nil, signature: sig, authToken: "another-token-another-token"))

        // The JSON variant: the body's SHA-256 rides in the URL, which alone is signed.
        let json = Array(#"{"MessageSid":"SM0124","From":"+13125550101","Body":"hi"}"#.utf8)
        let hash = SHA256Hex.of(json)
        let jsonURL = "https://ar.example.com/webhooks/twilio/sms?tenant=acme&bodySHA256=\(hash)"
        let jsonSig = try ProviderSigner.sign(["provider": "twilio-json", "token": token, "url": jsonURL])
        #expect(WebhookSignature.verifyTwilio(url: jsonURL, body: json, contentType: "application/json", signature: jsonSig, authToken: token))
        #expect(
            !WebhookSignature.verifyTwilio(
                url: jsonURL, body: Array(#"{"Body":"changed"}"#.utf8), contentType: "application/json", signature: jsonSig, authToken: token))
    }

    @Test(.enabled(if: signer)) func plivoV3SignaturesFromTheOfficialLibraryHold() throws {
        let token = "plivo-token-0123456789abcdef"
        let url = "https://ar.example.com/webhooks/plivo/sms?tenant=acme"
        let params = [("From", "13125550101"), ("To", "13125550000"), ("Text", "STOP"), ("MessageUUID", "a1b2")]
        let sig = try ProviderSigner.sign(["provider": "plivo", "token": token, "url": url, "nonce": "n0nce-42", "params": params.map { [$0.0, $0.1] }])
        #expect(WebhookSignature.verifyPlivo(url: url, nonce: "n0nce-42", signature: sig, params: params, authToken: token))
        #expect(WebhookSignature.verifyPlivo(url: url, nonce: "n0nce-42", signature: "bogus," + sig, params: params, authToken: token))
        #expect(!WebhookSignature.verifyPlivo(url: url, nonce: "other-nonce", signature: sig, params: params, authToken: token))
        #expect(!WebhookSignature.verifyPlivo(url: url, nonce: "n0nce-42", signature: sig, params: params + [("Extra", "1")], authToken: token))
    }

    @Test(.enabled(if: signer), arguments: ["sha256", "sha1", "md5", "sha512"])
    func vonageSignaturesFromTheOfficialLibraryHoldAndGoStale(method: String) throws {
        let secret = "vonage-signature-secret-0123456789"
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        var params = [
            ("msisdn", "13125550101"), ("to", "13125550000"), ("messageId", "0A01"), ("text", "pay & go = done"), ("type", "text"),
            ("timestamp", "1780000000"),
        ]
        let sig = try ProviderSigner.sign(["provider": "vonage", "secret": secret, "method": method, "params": params.map { [$0.0, $0.1] }])
        params.append(("sig", sig))
        #expect(WebhookSignature.verifyVonage(params: params, secret: secret, method: method, now: now))
        #expect(!WebhookSignature.verifyVonage(params: params, secret: secret, method: method, now: now.addingTimeInterval(600)), "a replay ten minutes later")
        #expect(!WebhookSignature.verifyVonage(params: params.map { $0.0 == "text" ? ($0.0, "changed") : $0 }, secret: secret, method: method, now: now))
    }
}

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String { SHA256.hash(data: Data(bytes)).map { String(format: "%02x", $0) }.joined() }
}

@Suite struct SMSProviderTests {
    let sms = SMSRequest(
        id: "msg_1", to: "+13125550101", from: "+13125550000", body: "Hi Dana, INV-100 for $1,250.00 is past due. Reply STOP to opt out.",
        statusCallback: "https://ar.example.com/webhooks/twilio/status?tenant=acme")
    let twilio = TwilioSMS(accountSID: "AC" + String(repeating: "0", count: 32), authToken: "0123456789abcdef0123456789abcdef")

    @Test func everyTwilioRequestConformsToTwiliosOpenAPIDocument() throws {
        let contract = try OpenAPIContract(path: OpenAPIContract.fixture("twilio_api_v2010.subset.json"))
        let send = twilio.sendRequest(sms)
        #expect(send.method == "POST")
        #expect(send.headers["Authorization"]?.hasPrefix("Basic ") == true)
        #expect(contract.problems(method: send.method, url: send.url, form: send.form) == [])
        let lookup = try #require(twilio.lookupRequest(sms, at: Date(timeIntervalSince1970: 1_780_000_000)))
        let query = Form.decode(URLComponents(string: lookup.url)?.percentEncodedQuery ?? "")
        #expect(contract.problems(method: lookup.method, url: lookup.url, form: nil, query: query) == [])
        // The checker itself catches what is wrong.
        #expect(!contract.problems(method: "POST", url: send.url, form: [("Body", "x")]).isEmpty, "To is required")
        #expect(!contract.problems(method: "POST", url: send.url, form: [("To", "3125550101"), ("Body", "x")]).isEmpty, "not E.164")
        #expect(!contract.problems(method: "POST", url: send.url, form: [("To", "+13125550101"), ("Colour", "red")]).isEmpty, "unknown field")
        #expect(!contract.problems(method: "POST", url: send.url, form: [("To", "+13125550101"), ("TrafficType", "bulk-ish")]).isEmpty, "enum")
        #expect(!contract.problems(method: "DELETE", url: send.url, form: nil).isEmpty)
    }

    @Test func providersAnswersAreReadAsTheirDocumentsSay() throws {
        func r(_ status: Int, _ json: String) -> ProviderResponse { ProviderResponse(status: status, body: Array(json.utf8)) }
        #expect(try twilio.receipt(r(201, #"{"sid":"SM123","status":"queued"}"#)).providerID == "SM123")
        #expect(throws: DeliveryError.rejectedAddress("Twilio 21211: The 'To' number is not a valid phone number.")) {
            try twilio.receipt(r(400, #"{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}"#))
        }
        #expect(throws: DeliveryError.temporary("HTTP 503: Twilio 0: busy")) { try twilio.receipt(r(503, #"{"message":"busy"}"#)) }
        #expect(throws: DeliveryError.permanent("HTTP 401: Twilio 20003: Authenticate")) {
            try twilio.receipt(r(401, #"{"code":20003,"message":"Authenticate"}"#))
        }

        let vonage = VonageSMS(apiKey: "abcd1234", apiSecret: "secret123")
        let sent = vonage.sendRequest(sms)
        #expect(sent.form.first { $0.0 == "to" }?.1 == "13125550101", "Vonage takes numbers without +")
        #expect(sent.form.first { $0.0 == "type" } == nil)
        #expect(
            vonage.sendRequest(SMSRequest(id: "m", to: "+13125550101", from: "+13125550000", body: "Gracias, señor — ¿mañana? 😀", statusCallback: nil))
                .form.first { $0.0 == "type" }?.1 == "unicode")
        #expect(try vonage.receipt(r(200, #"{"message-count":"1","messages":[{"status":"0","message-id":"0A01","to":"13125550101"}]}"#)).providerID == "0A01")
        #expect(throws: DeliveryError.temporary("Vonage status 1: Throttled")) {
            try vonage.receipt(r(200, #"{"message-count":"1","messages":[{"status":"1","error-text":"Throttled"}]}"#))
        }
        #expect(throws: DeliveryError.rejectedAddress("Vonage status 7: Number barred")) {
            try vonage.receipt(r(200, #"{"message-count":"1","messages":[{"status":"7","error-text":"Number barred"}]}"#))
        }

        let plivo = PlivoSMS(authID: "MAXXXXXXXXXXXXXXXXXX", authToken: "plivo-token-0123456789")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(plivo.sendRequest(sms).body)) as? [String: String])
        #expect(body["src"] == "+13125550000" && body["dst"] == "+13125550101" && body["url"] == sms.statusCallback)
        #expect(try plivo.receipt(r(202, #"{"api_id":"x","message":"message(s) queued","message_uuid":["db3ce55a"]}"#)).providerID == "db3ce55a")
        #expect(throws: DeliveryError.temporary("HTTP 500: Plivo: oops")) { try plivo.receipt(r(500, #"{"error":"oops"}"#)) }
    }

    @Test func deliveryReportsAndInboundTextsAreReadPerProvider() {
        let t = ProviderEvents.status("twilio", [("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "30006")])
        #expect(t?.providerID == "twilio:SM1" && t?.state == .undelivered && t?.numberIsBad == true)
        let t2 = ProviderEvents.status("twilio", [("MessageSid", "SM1"), ("MessageStatus", "undelivered"), ("ErrorCode", "30003")])
        #expect(t2?.numberIsBad == false, "an unreachable handset may be switched off")
        #expect(ProviderEvents.status("vonage", [("messageId", "0A"), ("status", "delivered"), ("err-code", "0")])?.state == .delivered)
        #expect(ProviderEvents.status("plivo", [("MessageUUID", "u1"), ("Status", "failed"), ("ErrorCode", "50")])?.numberIsBad == true)
        #expect(
            ProviderEvents.inbound("vonage", [("msisdn", "13125550101"), ("to", "13125550000"), ("messageId", "0B"), ("text", "STOP")])?.from == "+13125550101")
        #expect(ProviderEvents.inbound("twilio", [("From", "+13125550101")]) == nil)
    }

    @Test func aSenderNumberSendsNoFasterThanItsRate() {
        let t0 = Date(timeIntervalSince1970: 1_780_000_000.4)
        var latest: (second: Date, used: Int)?
        var seconds: [TimeInterval] = []
        for _ in 0..<4 {
            let s = SendRate.slot(latest: latest, at: t0, perSecond: 1)
            latest = s
            seconds.append(s.second.timeIntervalSince1970)
        }
        #expect(seconds == [1_780_000_000, 1_780_000_001, 1_780_000_002, 1_780_000_003])
        latest = nil
        var three: [TimeInterval] = []
        for _ in 0..<7 {
            let s = SendRate.slot(latest: latest, at: t0, perSecond: 3)
            latest = s
            three.append(s.second.timeIntervalSince1970 - 1_780_000_000)
        }
        #expect(three == [0, 0, 0, 1, 1, 1, 2])
        // A quiet sender sends at once.
        #expect(SendRate.slot(latest: (Date(timeIntervalSince1970: 1_700_000_000), 1), at: t0, perSecond: 1).second.timeIntervalSince1970 == 1_780_000_000)
    }
}

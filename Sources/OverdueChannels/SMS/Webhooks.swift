import Crypto
import Foundation
import OverdueCore

/// Checks that a provider's webhook really comes from the provider: each one signs its requests
/// with the account's secret. Every comparison is constant-time.
public enum WebhookSignature {
    /// Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, of the full URL
    /// followed by every POST parameter sorted by name, name then value, with no separators.
    public static func twilio(url: String, params: [(String, String)], authToken: String) -> String {
        var data = url
        for (k, v) in params.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) { data += k + v }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether a Twilio request is genuine. A form body is signed with its parameters; a JSON body
    /// is signed through the URL alone, which carries the body's SHA-256 as `bodySHA256`. Twilio may
    /// have signed the URL with or without the default port, so both are tried.
    public static func verifyTwilio(url: String, body: [UInt8], contentType: String?, signature: String?, authToken: String) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let json = contentType?.lowercased().hasPrefix("application/json") == true
        if json {
            guard let hash = Form.decode(URLComponents(string: url)?.percentEncodedQuery ?? "").first(where: { $0.0 == "bodySHA256" })?.1,
                equal(hash.lowercased(), Hex.string(SHA256.hash(data: body)))
            else { return false }
        }
        let params = json ? [] : Form.decode(String(decoding: body, as: UTF8.self))
        return portVariants(url).contains { equal(twilio(url: $0, params: params, authToken: authToken), signature) }
    }

    static func portVariants(_ url: String) -> [String] {
        guard var c = URLComponents(string: url), let scheme = c.scheme else { return [url] }
        let standard = scheme == "https" ? 443 : 80
        if c.port == standard {
            c.port = nil
            return [url, c.string ?? url]
        }
        if c.port == nil {
            c.port = standard
            return [url, c.string ?? url]
        }
        return [url]
    }

    /// Vonage's signed webhooks (`sig`): every other parameter sorted by name as `&name=value`
    /// (with `&` and `=` in values turned into `_`), then MD5 of that plus the secret (`md5hash`),
    /// or an HMAC keyed by the secret (`md5`, `sha1`, `sha256`, `sha512`), in hex.
    public static func vonage(params: [(String, String)], secret: String, method: String) -> String {
        var data = ""
        for (k, v) in params.filter({ $0.0 != "sig" }).sorted(by: { $0.0 < $1.0 }) {
            data += "&\(k)=" + v.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
        }
        let key = SymmetricKey(data: Data(secret.utf8))
        let bytes: [UInt8]
        switch method {
        case "md5": bytes = Array(HMAC<Insecure.MD5>.authenticationCode(for: Data(data.utf8), using: key))
        case "sha1": bytes = Array(HMAC<Insecure.SHA1>.authenticationCode(for: Data(data.utf8), using: key))
        case "sha512": bytes = Array(HMAC<SHA512>.authenticationCode(for: Data(data.utf8), using: key))
        case "md5hash": bytes = Array(Insecure.MD5.hash(data: Data((data + secret).utf8)))
        default: bytes = Array(HMAC<SHA256>.authenticationCode(for: Data(data.utf8), using: key))
        }
        return Hex.string(bytes)
    }

    /// Whether a Vonage request is genuine and fresh: its `timestamp` must be within five minutes of
    /// `now` (a replayed request is refused).
    public static func verifyVonage(params: [(String, String)], secret: String, method: String, now: Date) -> Bool {
        guard let sig = params.first(where: { $0.0 == "sig" })?.1, !sig.isEmpty,
            let ts = params.first(where: { $0.0 == "timestamp" }).flatMap({ TimeInterval($0.1) }),
            abs(now.timeIntervalSince1970 - ts) <= 300
        else { return false }
        return equal(vonage(params: params, secret: secret, method: method).lowercased(), sig.lowercased())
    }

    /// Plivo's `X-Plivo-Signature-V3`: base64 HMAC-SHA256, keyed by the auth token, of
    /// "URL.NONCE", where for a POST the URL (without its query) is followed by its sorted query
    /// (`?a=1&b=2.`, when it has one) and then by the POST parameters sorted by name, name then
    /// value, with no separators.
    public static func plivoV3(url: String, nonce: String, params: [(String, String)], authToken: String) -> String {
        var base = url
        var query: [(String, String)] = []
        if let c = URLComponents(string: url) {
            var bare = c
            bare.query = nil
            base = bare.string ?? url
            query = Form.decode(c.percentEncodedQuery ?? "")
        }
        let sortedQuery = query.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        if params.isEmpty {
            if !sortedQuery.isEmpty { base += "?" + sortedQuery }
        } else {
            base += "?" + sortedQuery
            if !sortedQuery.isEmpty { base += "." }
            base += params.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { $0.0 + $0.1 }.joined()
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(base).\(nonce)".utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether a Plivo request is genuine (the header may list several signatures, comma-separated).
    public static func verifyPlivo(url: String, nonce: String?, signature: String?, params: [(String, String)], authToken: String) -> Bool {
        guard let nonce, !nonce.isEmpty, let signature, !signature.isEmpty else { return false }
        let expected = plivoV3(url: url, nonce: nonce, params: params, authToken: authToken)
        return signature.split(separator: ",").contains { equal(String($0).trimmingCharacters(in: .whitespaces), expected) }
    }

    /// Compares in time that depends only on the lengths.
    public static func equal(_ a: String, _ b: String) -> Bool { ConstantTime.equal(a, b) }
}

/// A text that arrived at a provider for the tenant.
public struct InboundSMS: Hashable, Sendable {
    /// Sender, E.164.
    public var from: String
    /// Our number it was sent to.
    public var to: String
    /// The text.
    public var text: String
    /// `PROVIDER:ID` (duplicates of one delivery carry the same).
    public var providerID: String
}

/// What a provider said about a text Overdue sent.
public struct DeliveryUpdate: Hashable, Sendable {
    /// Where the text is.
    public enum State: String, Sendable {
        case queued, sent, delivered, undelivered, failed
    }
    /// `PROVIDER:ID`, as stored on the message.
    public var providerID: String
    /// The state.
    public var state: State
    /// The provider's error code, if any.
    public var code: String?
    /// Whether the code says the number itself cannot take texts (invalid, landline, barred).
    public var numberIsBad: Bool
    /// Words for the timeline.
    public var detail: String
}

/// Reads providers' webhook parameters.
public enum ProviderEvents {
    static func param(_ p: [(String, String)], _ name: String) -> String? { p.first { $0.0 == name }?.1 }

    static func e164(_ s: String) -> String { s.hasPrefix("+") ? s : "+" + s.filter(\.isNumber) }

    /// An inbound text, or nil when the parameters are not one.
    public static func inbound(_ provider: String, _ p: [(String, String)]) -> InboundSMS? {
        switch provider {
        case "twilio":
            guard let sid = param(p, "MessageSid") ?? param(p, "SmsSid"), let from = param(p, "From"), let body = param(p, "Body") else { return nil }
            return InboundSMS(from: from, to: param(p, "To") ?? "", text: body, providerID: "twilio:\(sid)")
        case "vonage":
            guard let id = param(p, "messageId"), let from = param(p, "msisdn"), let text = param(p, "text") else { return nil }
            return InboundSMS(from: e164(from), to: e164(param(p, "to") ?? ""), text: text, providerID: "vonage:\(id)")
        case "plivo":
            guard let id = param(p, "MessageUUID"), let from = param(p, "From"), let text = param(p, "Text") else { return nil }
            return InboundSMS(from: e164(from), to: e164(param(p, "To") ?? ""), text: text, providerID: "plivo:\(id)")
        default:
            return nil
        }
    }

    /// Twilio error codes that say the number cannot take texts: unknown destination (30005),
    /// landline or unreachable carrier (30006), carrier violation/filtered (30007), invalid (21211),
    /// not a mobile (21614), unsubscribed (21610).
    static let twilioBadNumber: Set<String> = ["30005", "30006", "30007", "21211", "21614", "21610"]
    /// Vonage delivery-receipt codes: absent subscriber permanent (3), illegal number (9),
    /// destination unreachable (12).
    static let vonageBadNumber: Set<String> = ["3", "9", "12"]
    /// Plivo codes: invalid destination (50), permanently unavailable (70), opted out (200).
    static let plivoBadNumber: Set<String> = ["50", "70", "200"]

    /// A delivery update, or nil when the parameters are not one.
    public static func status(_ provider: String, _ p: [(String, String)]) -> DeliveryUpdate? {
        func state(_ s: String) -> DeliveryUpdate.State {
            switch s.lowercased() {
            case "delivered", "read": return .delivered
            case "undelivered", "expired": return .undelivered
            case "failed", "rejected", "canceled": return .failed
            case "sent", "accepted", "buffered": return .sent
            default: return .queued
            }
        }
        switch provider {
        case "twilio":
            guard let sid = param(p, "MessageSid") ?? param(p, "SmsSid"), let s = param(p, "MessageStatus") ?? param(p, "SmsStatus") else { return nil }
            let code = param(p, "ErrorCode").flatMap { $0.isEmpty || $0 == "0" ? nil : $0 }
            return DeliveryUpdate(
                providerID: "twilio:\(sid)", state: state(s), code: code, numberIsBad: code.map(twilioBadNumber.contains) ?? false,
                detail: "Twilio: \(s)\(code.map { " (error \($0))" } ?? "")")
        case "vonage":
            guard let id = param(p, "messageId"), let s = param(p, "status") else { return nil }
            let code = param(p, "err-code").flatMap { $0 == "0" ? nil : $0 }
            return DeliveryUpdate(
                providerID: "vonage:\(id)", state: state(s), code: code, numberIsBad: code.map(vonageBadNumber.contains) ?? false,
                detail: "Vonage: \(s)\(code.map { " (error \($0))" } ?? "")")
        case "plivo":
            guard let id = param(p, "MessageUUID"), let s = param(p, "Status") else { return nil }
            let code = param(p, "ErrorCode").flatMap { $0.isEmpty || $0 == "000" || $0 == "0" ? nil : $0 }
            return DeliveryUpdate(
                providerID: "plivo:\(id)", state: state(s), code: code, numberIsBad: code.map(plivoBadNumber.contains) ?? false,
                detail: "Plivo: \(s)\(code.map { " (error \($0))" } ?? "")")
        default:
            return nil
        }
    }
}

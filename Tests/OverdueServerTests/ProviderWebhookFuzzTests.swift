import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueChannels
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Issue 20's fuzzing requirement for the providers' webhook forms and the TwiML the voice
/// webhooks answer: 10,000 generated requests to every webhook of Twilio (texts, delivery reports,
/// the call's answer, turns, status and recording), Vonage and Plivo, most of them signed as the
/// provider signs (so they get past the signature to the parsers), with fields of every wrong
/// shape. Every answer is under 500; a voice answer is well-formed XML; the audit chain holds.
@Suite struct ProviderWebhookFuzzTests {
    static let seed: UInt64 = 20_261_208
    static let vonageSecret = "vonage-signature-secret-0123456789"
    static let plivoToken = "plivo-auth-token-0123456789abcdef"

    /// Whether `xml` is well-formed enough for a provider's parser: one root, every tag closed in
    /// order, no `<` in text or attribute values, and every `&` an entity.
    static func wellFormed(_ xml: String) -> Bool {
        var open: [Substring] = []
        var roots = 0
        var rest = Substring(xml)
        func textOK(_ t: Substring) -> Bool {
            var i = t.startIndex
            while let amp = t[i...].firstIndex(of: "&") {
                let tail = t[amp...]
                guard ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(where: { tail.hasPrefix($0) }) || tail.firstMatch(of: /^&#[0-9]+;/) != nil else {
                    return false
                }
                i = t.index(after: amp)
            }
            return !t.contains("<")
        }
        while let lt = rest.firstIndex(of: "<") {
            guard textOK(rest[..<lt]), let gt = rest[lt...].firstIndex(of: ">") else { return false }
            let tag = rest[rest.index(after: lt)..<gt]
            rest = rest[rest.index(after: gt)...]
            if tag.hasPrefix("?") { continue }
            if tag.hasPrefix("/") {
                guard open.popLast() == tag.dropFirst() else { return false }
                continue
            }
            let name = tag.prefix { !$0.isWhitespace && $0 != "/" }
            guard !name.isEmpty, textOK(tag.replacing(/"[^"]*"/, with: "\"\"")) else { return false }
            // Attribute values: no raw `<` and entities only.
            for quoted in tag.matches(of: /"([^"]*)"/) where !textOK(quoted.1) { return false }
            if open.isEmpty { roots += 1 }
            if !tag.hasSuffix("/") { open.append(name) }
        }
        return open.isEmpty && roots == 1 && textOK(rest)
    }

    @Test func aWellFormednessCheckThatCanFail() {
        #expect(Self.wellFormed("<?xml version=\"1.0\"?><Response><Say voice=\"a\">Tom &amp; Co</Say><Hangup/></Response>"))
        #expect(!Self.wellFormed("<Response><Say>Tom & Co</Say></Response>"))
        #expect(!Self.wellFormed("<Response><Say>x</Response></Say>"))
        #expect(!Self.wellFormed("<Response><Say a=\"<\">x</Say></Response>"))
        #expect(!Self.wellFormed("<Response/><Response/>"))
    }

    @Test func tenThousandSignedAndUnsignedFormsGetAnAnswerAndNeverAServerError() async throws {
        let settings = [
            ("vonage.signature_secret", Self.vonageSecret), ("vonage.signature_method", "sha256"), ("plivo.auth_token", Self.plivoToken),
            ("voice.provider", "twilio"),
        ]
        // Port 1: nothing listens there, so nothing is ever sent to a provider.
        try await SMSWebhookTests().world(port: 1, settings: settings) { store, _, client in
            var statuses: [Int: Int] = [:]
            var reachedParsers = 0
            // Untimed: the first request sets up what every later one reuses (caches, the readers).
            var warm = HostileForm(seed: Self.seed)
            let first = warm.request()
            try await client.execute(uri: first.1, method: first.0, headers: first.3, body: ByteBuffer(bytes: first.2)) { _ in }
            for index in 0..<10_000 {
                var g = HostileForm(seed: Self.seed &+ UInt64(index))
                let (method, uri, body, headers) = g.request()
                let context = "request \(index) (seed \(Self.seed &+ UInt64(index))): \(method) \(uri), \(body.count) bytes"
                let started = ContinuousClock.now
                try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body)) { response in
                    let status = Int(response.status.code)
                    statuses[status, default: 0] += 1
                    #expect(status < 500, "\(context): answered \(status): \(String(buffer: response.body).prefix(300))")
                    if status != 403 && status != 404 { reachedParsers += 1 }
                    if status == 200, response.headers[.contentType] == "text/xml" {
                        let twiml = String(buffer: response.body)
                        #expect(Self.wellFormed(twiml), "\(context): the TwiML is not well-formed XML: \(twiml.prefix(300))")
                    }
                }
                // A hang, not a speed: the suite shares the machine's two cores (and Swift's cooperative
                // threads) with CPU-bound fuzzers, which have held one request here 40 s.
                #expect(ContinuousClock.now - started < .seconds(120), "\(context): hung")
            }
            // Both sides of the signature check are reached, and most requests got to the parsers.
            #expect(reachedParsers > 5_000 && statuses[403, default: 0] > 500, "\(statuses.sorted { $0.key < $1.key })")
            #expect(try await store.read { try await $0.brokenAuditLink() } == nil)
        }
    }
}

/// Makes one webhook request from a seed: a provider's form, signed (mostly) or not.
private struct HostileForm: SeededDrawing {
    var rng: SeededGenerator
    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    static let values = [
        "", " ", "+13125550101", "(312) 555-0101", "+1", "13125550101", "not a number", "STOP", "we paid", "I dispute INV-100",
        "Promise to pay Friday", "SM123", "CA123", "msg_0", "msg_\u{0}", "delivered", "failed", "undelivered", "completed", "busy",
        "no-answer", "1", "9", "#", "*", "-1", "99999999999999999999", "1e309", "NaN", "2026-02-30", "https://169.254.169.254/", "<Say>x</Say>",
        "]]><Hangup/>", "&amp;", "\r\n", "😀", "\u{202E}evil", "%00", "%ZZ", "a[]=1", String(repeating: "A", count: 5_000),
    ]

    mutating func value() -> String {
        chance(0.1) ? String((0..<int(1...60)).map { _ in Character(Unicode.Scalar(UInt8(int(1...127)))) }) : pick(Self.values)
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }
        .joined(separator: "&")
    }

    mutating func request() -> (HTTPRequest.Method, String, [UInt8], HTTPFields) {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let signed = chance(0.85)
        switch int(0...9) {
        case 0...5:
            // Twilio: texts, delivery reports and every step of a call.
            let (path, fields) = pick([
                ("sms", ["From", "To", "Body", "MessageSid", "AccountSid", "NumMedia"]),
                ("status", ["MessageSid", "MessageStatus", "ErrorCode", "To", "AccountSid"]),
                ("voice", ["CallSid", "From", "To", "CallStatus", "AnsweredBy", "AccountSid"]),
                ("voice/turn", ["CallSid", "SpeechResult", "Digits", "Confidence", "AccountSid"]),
                ("voice/status", ["CallSid", "CallStatus", "CallDuration", "AnsweredBy", "AccountSid"]),
                ("voice/recording", ["CallSid", "RecordingSid", "RecordingUrl", "RecordingStatus", "AccountSid"]),
            ])
            var query = [("tenant", chance(0.95) ? "acme" : pick(["", "nobody", "%00"]))]
            if path.hasPrefix("voice") {
                for (k, v) in [("message", pick(["msg_0", value()])), ("turn", pick(["1", "2", value()])), ("silent", value()), ("asked", value())]
                where chance(0.5) {
                    query.append((k, v))
                }
            }
            let params = fields.filter { _ in chance(0.7) }.map { ($0, value()) } + (chance(0.1) ? [(value(), value())] : [])
            let uri = "/webhooks/twilio/\(path)?" + Self.encode(query)
            let body = Self.encode(params)
            let signature =
                signed
                ? WebhookSignature.twilio(url: "https://ar.example.com" + uri, params: Form.decode(body), authToken: SMSWebhookTests.token) : value()
            headers[HTTPField.Name("X-Twilio-Signature")!] = signature.replacingOccurrences(of: "\r\n", with: "")
            return (.post, uri, Array(body.utf8), headers)
        case 6...7:
            // Vonage: signed parameters with a fresh timestamp, by POST form or GET query.
            let (path, fields) = pick([
                ("sms", ["msisdn", "to", "text", "messageId", "type", "keyword", "message-timestamp"]),
                ("status", ["messageId", "status", "err-code", "msisdn", "to", "scts"]),
            ])
            var params = fields.filter { _ in chance(0.7) }.map { ($0, value()) }
            params.append(("timestamp", chance(0.9) ? String(Int(Date().timeIntervalSince1970)) : value()))
            params.append(("sig", signed ? WebhookSignature.vonage(params: params, secret: ProviderWebhookFuzzTests.vonageSecret, method: "sha256") : value()))
            if chance(0.3) { return (.get, "/webhooks/vonage/\(path)?tenant=acme&" + Self.encode(params), [], HTTPFields()) }
            return (.post, "/webhooks/vonage/\(path)?tenant=acme", Array(Self.encode(params).utf8), headers)
        default:
            // Plivo: V3 signatures over the URL, a nonce and the sorted parameters.
            let (path, fields) = pick([
                ("sms", ["From", "To", "Text", "MessageUUID", "Type"]),
                ("status", ["MessageUUID", "Status", "ErrorCode", "To", "From"]),
            ])
            let params = fields.filter { _ in chance(0.7) }.map { ($0, value()) }
            let uri = "/webhooks/plivo/\(path)?tenant=acme"
            let body = Self.encode(params)
            let nonce = String(int(100_000...999_999))
            headers[HTTPField.Name("X-Plivo-Signature-V3-Nonce")!] = nonce
            headers[HTTPField.Name("X-Plivo-Signature-V3")!] =
                signed
                ? WebhookSignature.plivoV3(
                    url: "https://ar.example.com" + uri, nonce: nonce, params: Form.decode(body), authToken: ProviderWebhookFuzzTests.plivoToken)
                : value().replacingOccurrences(of: "\r\n", with: "")
            return (.post, uri, Array(body.utf8), headers)
        }
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore

/// One HTTP request to a provider's API, built by a pure function so that tests can check it
/// against the provider's published API without sending it.
public struct ProviderRequest: Hashable, Sendable {
    /// `GET` or `POST`.
    public var method: String
    /// The full URL.
    public var url: String
    /// Header fields (Authorization included: never log a request whole).
    public var headers: [String: String]
    /// The body (form-encoded or JSON).
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, url: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The form fields of a form-encoded body.
    public var form: [(String, String)] { Form.decode(String(decoding: body, as: UTF8.self)) }
}

/// What a provider answered.
public struct ProviderResponse: Hashable, Sendable {
    /// HTTP status.
    public var status: Int
    /// The body.
    public var body: [UInt8]
    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
    /// The body parsed as a JSON object, if it is one.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

/// Carries provider requests (async-http-client in production; tests can substitute nothing —
/// they point the providers' base URLs at a local stand-in instead).
public protocol ProviderTransport: Sendable {
    /// Performs `request`; throws only when no answer came (connection refused, timeout).
    func perform(_ request: ProviderRequest, timeout: Duration) async throws -> ProviderResponse
}

/// The production transport: the process-wide async-http-client.
public struct HTTPProviderTransport: ProviderTransport {
    /// Creates the transport.
    public init() {}

    /// Performs the request over HTTP (`ProviderTransport`).
    public func perform(_ request: ProviderRequest, timeout: Duration) async throws -> ProviderResponse {
        var r = HTTPClientRequest(url: request.url)
        r.method = .init(rawValue: request.method)
        for (k, v) in request.headers { r.headers.add(name: k, value: v) }
        if !request.body.isEmpty { r.body = .bytes(ByteBuffer(bytes: request.body)) }
        let seconds = Int64(timeout.components.seconds)
        let response = try await OutboundHTTP.client.execute(r, timeout: .seconds(max(1, seconds)))
        let body = try await response.body.collect(upTo: 1 << 20)
        return ProviderResponse(status: Int(response.status.code), body: Array(buffer: body))
    }
}

/// `application/x-www-form-urlencoded`.
public enum Form {
    static let allowed: CharacterSet = {
        var s = CharacterSet.alphanumerics
        s.insert(charactersIn: "-._*")
        return s
    }()

    /// Encodes pairs in order.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        // ASCII letters and digits only: CharacterSet.alphanumerics also admits non-ASCII letters.
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if b < 128 && (c.isLetter || c.isNumber || "-._*".contains(c)) {
                out.append(c)
            } else if b == 32 {
                out += "+"
            } else {
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    /// Decodes a form body (or a query string) into pairs in order.
    public static func decode(_ body: String) -> [(String, String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func un(_ s: Substring) -> String { (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s) }
            return (un(kv[0]), kv.count > 1 ? un(kv[1]) : "")
        }
    }
}

extension DeliveryError {
    /// The error for a provider's HTTP answer that is not a success: 429 and 5xx are temporary,
    /// other codes permanent.
    static func http(_ status: Int, _ what: String) -> DeliveryError {
        status == 429 || status >= 500 ? .temporary("HTTP \(status): \(what)") : .permanent("HTTP \(status): \(what)")
    }
}

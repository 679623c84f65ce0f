import AsyncHTTPClient
import Foundation

/// What this server may reach at a URL a tenant chose (a webhook, the model's base URL). A tenant
/// must not turn the server into a probe of the operator's network, so such a URL may not resolve
/// to a loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast or unspecified
/// address — checked when it is set and again before each request (a name can resolve elsewhere
/// later) — unless the operator allows it (`OVERDUE_ALLOW_PRIVATE_TARGETS=1`, as tests and
/// single-machine installs with a local model do). Redirects are never followed (`OutboundHTTP`).
public enum OutboundTarget {
    /// The operator's choice from the environment.
    public static let privateAllowedByEnvironment = ProcessInfo.processInfo.environment["OVERDUE_ALLOW_PRIVATE_TARGETS"] == "1"

    /// Why a URL may not be reached.
    public struct Refused: Error, Hashable, Sendable, CustomStringConvertible {
        /// Why, naming the host (never what answered there).
        public let description: String
    }

    /// Checks that every address `url`'s host resolves to is public (nothing to check when
    /// `allowPrivate`).
    public static func check(_ url: URL, allowPrivate: Bool) async throws(Refused) {
        guard !allowPrivate else { return }
        guard let host = url.host, !host.isEmpty else { throw Refused(description: "the URL has no host") }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let addresses = await resolve(bare)
        guard !addresses.isEmpty else { throw Refused(description: "\(host) does not resolve") }
        if let inner = addresses.first(where: isPrivate) {
            throw Refused(
                description:
                    "\(host) is a private, loopback or link-local address (\(inner)); use a public address, or the operator sets OVERDUE_ALLOW_PRIVATE_TARGETS=1"
            )
        }
    }

    /// The addresses `host` resolves to (numeric text), empty when it does not.
    static func resolve(_ host: String) async -> [String] {
        await withCheckedContinuation { continuation in
            // getaddrinfo blocks: on a thread of its own, not the cooperative pool.
            Thread.detachNewThread {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0 else { return continuation.resume(returning: []) }
                defer { freeaddrinfo(list) }
                var found: [String] = []
                var next = list
                while let info = next {
                    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                        found.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                    }
                    next = info.pointee.ai_next
                }
                continuation.resume(returning: found)
            }
        }
    }

    /// Whether a numeric address is one a tenant's URL may not reach.
    static func isPrivate(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return isPrivate4(UInt32(bigEndian: v4.s_addr)) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address.split(separator: "%").first.map(String.init) ?? address, &v6) == 1 else { return true }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {  // ::ffff:a.b.c.d
            return isPrivate4(UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15]))
        }
        if b[0..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return true }  // :: and ::1
        if b[0] & 0xfe == 0xfc { return true }  // fc00::/7 unique local
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return true }  // fe80::/10 link-local
        if b[0] == 0xff { return true }  // multicast
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b { return true }  // 64:ff9b::/96 (NAT64 of anything)
        return false
    }

    static func isPrivate4(_ a: UInt32) -> Bool {
        func within(_ net: UInt32, _ bits: UInt32) -> Bool { a >> (32 - bits) == net >> (32 - bits) }
        return within(0x0000_0000, 8) || within(0x0A00_0000, 8) || within(0x6440_0000, 10) || within(0x7F00_0000, 8)
            || within(0xA9FE_0000, 16) || within(0xAC10_0000, 12) || within(0xC000_0000, 24) || within(0xC0A8_0000, 16)
            || within(0xC612_0000, 15) || a >= 0xE000_0000
    }
}

/// The HTTP client for everything this server sends out: it follows no redirect (a 3xx is an
/// answer like any other), so no URL can bounce a request, or a provider's secret, elsewhere.
public enum OutboundHTTP {
    /// The process's client.
    public static let client: HTTPClient = {
        // The shared client's settings (timeouts, pool, decompression), without its redirects.
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

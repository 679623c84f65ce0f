import Foundation

/// What the receiving mail server said about a message's sender (RFC 8601 `Authentication-Results`),
/// read only from the server the tenant trusts: the header any sender can forge is believed only
/// when it carries that server's `authserv-id`, which RFC 8601 §5 has the server strip from
/// incoming mail before adding its own. A sender is authenticated when DMARC passed for the
/// `From` domain, or — where the server recorded no DMARC result — when DKIM or SPF passed for a
/// domain aligned with it (the same domain, or one is a subdomain of the other).
public enum SenderAuthentication: Hashable, Sendable {
    /// The sender's domain is proven, by `method`.
    case pass(method: String)
    /// Not proven: why (a failed result, a misaligned domain, no result from the trusted server).
    case fail(String)

    /// Whether the sender is proven.
    public var passed: Bool { if case .pass = self { true } else { false } }

    /// The verdict on a message whose `From` domain is `fromDomain`, from its
    /// `Authentication-Results` header values (top first, as received) and the `authserv-id` of the
    /// tenant's receiving server.
    public static func verdict(results: [String], trustedServer: String, fromDomain: String) -> SenderAuthentication {
        let server = trustedServer.lowercased()
        let from = fromDomain.lowercased()
        // The top-most header of the trusted server is the one it added on receipt.
        guard let header = results.lazy.map(AuthenticationResults.init).first(where: { $0.server == server }) else {
            return .fail("no Authentication-Results from \(trustedServer)")
        }
        if let dmarc = header.results.first(where: { $0.method == "dmarc" }) {
            let domain = dmarc.properties["header.from"] ?? from
            if dmarc.result == "pass" && aligned(domain, from) { return .pass(method: "dmarc") }
            return .fail("dmarc=\(dmarc.result) for \(domain)")
        }
        for method in ["dkim", "spf"] {
            for r in header.results where r.method == method && r.result == "pass" {
                let domain =
                    method == "dkim" ? r.properties["header.d"] ?? r.properties["header.i"].map(domainPart) : r.properties["smtp.mailfrom"].map(domainPart)
                if let domain, aligned(domain, from) { return .pass(method: method) }
            }
        }
        let seen = header.results.map { "\($0.method)=\($0.result)" }.joined(separator: ", ")
        return .fail(seen.isEmpty ? "\(trustedServer) recorded no result" : "\(seen), none aligned with \(from)")
    }

    /// Relaxed alignment (RFC 7489 §3.1): the same domain, or one is a subdomain of the other.
    static func aligned(_ a: String, _ b: String) -> Bool {
        let (a, b) = (a.lowercased(), b.lowercased())
        return a == b || a.hasSuffix("." + b) || b.hasSuffix("." + a)
    }

    static func domainPart(_ address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? address
    }
}

/// One `Authentication-Results` header, parsed (RFC 8601 §2.2): the server's id and its results.
struct AuthenticationResults {
    struct Result {
        var method: String
        var result: String
        var properties: [String: String]
    }

    var server: String
    var results: [Result]

    init(_ value: String) {
        // Comments may hold anything, ';' included: they go first.
        var text = ""
        var depth = 0
        var quoted = false
        for ch in value {
            if quoted {
                if ch == "\"" { quoted = false }
                if depth == 0 { text.append(ch) }
                continue
            }
            switch ch {
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            case "\"" where depth == 0:
                quoted = true
                text.append(ch)
            default: if depth == 0 { text.append(ch) }
            }
        }
        let parts = text.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        // "authserv-id [version]"
        server = parts.first?.split(whereSeparator: \.isWhitespace).first.map { $0.lowercased() } ?? ""
        results = parts.dropFirst().compactMap { part in
            let tokens = part.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = tokens.first, let eq = first.firstIndex(of: "=") else { return nil }
            let method = first[..<eq].split(separator: "/").first.map { $0.lowercased() } ?? ""
            let result = first[first.index(after: eq)...].lowercased()
            var properties: [String: String] = [:]
            for token in tokens.dropFirst() {
                guard let e = token.firstIndex(of: "=") else { continue }
                let value = token[token.index(after: e)...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                properties[token[..<e].lowercased()] = value.lowercased()
            }
            return method.isEmpty ? nil : Result(method: method, result: result, properties: properties)
        }
    }
}

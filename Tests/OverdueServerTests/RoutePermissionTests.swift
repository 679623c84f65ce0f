import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OverdueCore
@testable import OverdueServer
@testable import OverdueStore

/// Each API route asks for the permission it declared, whatever spelling of its path reaches it.
@Suite struct RoutePermissionTests {
    /// `path` with each `:parameter` given a value that names nothing.
    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            guard part.hasPrefix(":") else { return String(part) }
            return part == ":debtor" ? "S001" : part == ":channel" ? "sms" : part == ":name" ? "reminder.friendly" : "nope"
        }.joined(separator: "/")
    }

    /// The spellings an attacker tries: as registered, with a trailing slash, with the last
    /// segment's first letter percent-encoded, and with a doubled slash before it.
    static func variants(_ path: String) -> [String] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let last = parts.removeLast()
        let encoded = last.first.map { String(format: "%%%02X", $0.asciiValue ?? 0x61) + last.dropFirst() } ?? last
        let stem = parts.joined(separator: "/")
        return [path, path + "/", stem + "/" + encoded, stem + "//" + last]
    }

    @Test func everyRegisteredRouteRefusesEveryRoleItsPermissionDoesNotCoverInEverySpelling() async throws {
        let found = APITests.Found()
        try await APITests().withApp(
            setup: { store in
                try await store.write { s in
                    for role in Role.allCases { found.keys[role] = try await s.createAPIKey("demo", name: role.rawValue, role: role, now: Date()).key }
                }
            },
            // Hundreds of requests a key: the rate limit is not what is tested here.
            configure: { $0.apiRatePerMinute = 1_000_000 }
        ) { client, _ in
            let routes = APIRoutes.all
            // The registry holds what the server registered: the routes the old suffix rules got wrong among them.
            #expect(routes.count >= 50)
            #expect(routes.contains(APIRoute(method: .post, path: "/api/v1/messages/:id/approve", permission: .manage)))
            #expect(routes.contains(APIRoute(method: .post, path: "/api/v1/templates/preview", permission: .read)))
            // The API's description says, for every route, the permission the route declared.
            let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            for route in routes {
                let documented = route.path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                let operation = paths[documented]?[route.method.rawValue.lowercased()] as? [String: Any]
                #expect(
                    (operation?["description"] as? String)?.contains("Needs the `\(route.permission.rawValue)` permission") == true,
                    "\(route.method) \(documented): \(operation?["description"] ?? "undocumented")")
            }
            var tried = 0
            // Reached routes run as the least and the most powerful roles in between; every role
            // is tried on every route, the powerful ones last (their requests may change things).
            for role in Role.allCases.reversed() {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(found.keys[role]!)"
                headers[.contentType] = "application/json"
                for route in routes where !role.allows(route.permission) {
                    for uri in Self.variants(Self.concrete(route.path)) {
                        let body = route.method == .get || route.method == .delete ? nil : ByteBuffer(string: "{}")
                        try await client.execute(uri: uri, method: route.method, headers: headers, body: body) { response in
                            // Refused, or no such route: never handled (a handler's own 404 does not count).
                            let unrouted = response.status == .notFound && String(buffer: response.body).contains("no route ")
                            #expect(
                                response.status == .forbidden || unrouted || response.status == .methodNotAllowed,
                                "\(role) \(route.method) \(uri) (needs \(route.permission)): \(response.status) \(String(buffer: response.body))")
                        }
                        tried += 1
                    }
                }
            }
            #expect(tried > 4 * 50)
            // A role the route allows is not refused (the checks are not just "refuse everything").
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(found.keys[.manager]!)"
            headers[.contentType] = "application/json"
            for uri in ["/api/v1/messages/nope/approve", "/api/v1/messages/nope/approve/"] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: "{}")) { response in
                    #expect(response.status != .forbidden && response.status != .unauthorized, "\(uri): \(response.status)")
                }
            }
        }
    }
}

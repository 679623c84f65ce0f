import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import OverdueCore

/// One route of the API and the permission it needs, declared where the route is registered.
struct APIRoute: Sendable, Hashable {
    /// The method.
    let method: HTTPRequest.Method
    /// The path as registered (`/api/v1/messages/:id/approve`).
    let path: String
    /// What the caller's role must allow.
    let permission: Permission
}

/// Every API route this process registered, with its permission (the test that tries each role on
/// each route walks them).
enum APIRoutes {
    private static let table = NIOLockedValueBox<[String: APIRoute]>([:])

    /// The routes, by path then method.
    static var all: [APIRoute] {
        table.withLockedValue { Array($0.values) }.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    static func declare(_ route: APIRoute) {
        table.withLockedValue { table in
            let key = "\(route.method.rawValue) \(route.path)"
            precondition(table[key] == nil || table[key] == route, "\(key) is declared with two permissions")
            table[key] = route
        }
    }
}

/// The caller's role lacks the route's permission (`AuthMiddleware` audits it and answers 403).
struct PermissionDenied: Error {
    /// What the route needs.
    let needed: Permission
    /// What the caller has.
    let role: Role
}

extension Router where Context == OverdueRequestContext {
    /// Registers an API route that needs `permission`. The check is made by the route itself, on the
    /// caller `AuthMiddleware` authenticated: whatever spelling of the path reached it (a trailing
    /// slash, percent-encoding), the route asks for what it declared.
    @discardableResult
    func api(
        _ method: HTTPRequest.Method, _ path: String, _ permission: Permission,
        use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        APIRoutes.declare(APIRoute(method: method, path: path, permission: permission))
        return on(RouterPath(path), method: method) { request, context in
            guard let principal = context.principal else { throw AuthMiddleware.unauthorized("no API key or session") }
            guard principal.role.allows(permission) else { throw PermissionDenied(needed: permission, role: principal.role) }
            return try await handler(request, context)
        }
    }
}

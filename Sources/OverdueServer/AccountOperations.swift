import Foundation
import Hummingbird
import OverdueCore
import OverdueUseCases

/// The account forms — one's own password and second factor, a tenant's users and API keys — read
/// once for both the JSON API and the dashboard's forms: each field's shape is checked here (every
/// bad field named, as `Fields` collects them), then the use case checks the rest and writes.
extension AccountsController {
    /// A form's text fields as the `Fields` the API reads (the CSRF token and the return path are
    /// the form's own business); `booleans` are checkboxes.
    static func fields(form: [String: String], booleans: Set<String> = []) -> Fields {
        var object: [String: JSONValue] = [:]
        for (k, v) in form where k != "_csrf" && k != "back" {
            object[k] = booleans.contains(k) ? .bool(v == "on" || v == "true") : .string(v)
        }
        for k in booleans where object[k] == nil { object[k] = .bool(false) }
        return Fields(object)
    }

    /// `{current, new}` for `user` (`UseCases.changePassword`). A form that asks for the new
    /// password twice passes the second as `again`; `keepSignedIn` starts a fresh session.
    @discardableResult
    func changePassword(_ f: inout Fields, user: User, ip: String?, again: String? = nil, keepSignedIn: Bool = false) async throws
        -> (token: String, session: UserSession)?
    {
        let current = f.string("current", maxLength: 1024)
        let new = f.string("new", maxLength: 1024)
        try f.done()
        return try await Problem.presenting {
            try await api.useCases.changePassword(user: user, current: current!, new: new!, again: again, ip: ip, keepSignedIn: keepSignedIn)
        }
    }

    /// `{code}`: the app shows the right code → the second factor is on.
    func confirmTOTP(_ f: inout Fields, user: User, ip: String?) async throws {
        let code = f.string("code", maxLength: 12)
        try f.done()
        try await Problem.presenting { try await api.useCases.confirmSecondFactor(user: user, code: code!, ip: ip) }
    }

    /// `{email, name?, role, password}`: a new user of the caller's tenant.
    func createUser(_ f: inout Fields, caller: Principal, ip: String? = nil) async throws -> User {
        let email = f.string("email", maxLength: 320)
        let name = f.string("name", required: false, maxLength: 200)
        let role = f.choice("role", Role.self)
        let password = f.string("password", maxLength: 1024)
        for p in UseCases.newUserProblems(email: email, name: name, password: password) { f.fail(p.field, p.message) }
        try f.done()
        return try await Problem.presenting {
            try await api.useCases.createUser(
                tenant: caller.tenant, email: email!, name: name, role: role!, password: password!, by: caller.actor,
                grantor: caller.role, ip: ip)
        }
    }

    /// `{role?, name?, disabled?}` for `user`.
    func updateUser(_ f: inout Fields, user: User, caller: Principal, ip: String? = nil) async throws {
        let role = f.choice("role", Role.self, required: false)
        let name = f.string("name", required: false, maxLength: 200)
        let disabled = f.bool("disabled")
        try f.done()
        try await Problem.presenting {
            try await api.useCases.updateUser(
                user, role: role, name: name, disabled: disabled, by: caller.actor, callerID: caller.userID, grantor: caller.role, ip: ip)
        }
    }

    /// `{name, role}`: a new API key; its secret is in this answer only.
    func createKey(_ f: inout Fields, caller: Principal) async throws -> (key: String, record: APIKey) {
        let name = f.string("name", maxLength: 200)
        let role = f.choice("role", Role.self)
        let days = f.integer("expires_in_days", required: false, range: 1...Int64(UseCases.keyLifetimeMaxDays)).map(Int.init)
        try f.done()
        return try await Problem.presenting {
            try await api.useCases.createAPIKey(
                tenant: caller.tenant, name: name!, role: role!, by: caller.actor, grantor: caller.role, maker: caller.userID, expiresInDays: days)
        }
    }
}

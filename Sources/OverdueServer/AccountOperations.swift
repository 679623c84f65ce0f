import Foundation
import Hummingbird
import OverdueCore
import OverdueStore
import OverdueUseCases

/// What people may do to accounts — their own password and second factor, a tenant's users and API
/// keys — once, for both the JSON API and the dashboard's forms: the same checks (every bad field
/// named, as `Fields` collects them), the same ownership rules, the same audit entries.
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

    /// `{current, new}` for `user`: every session of the user ends (a stolen one dies with the old
    /// password). Audited as `user.password_changed`. A form that asks for the new password twice
    /// passes the second as `again`.
    func changePassword(_ f: inout Fields, user: User, ip: String?, again: String? = nil) async throws {
        let current = f.string("current", maxLength: 1024)
        let new = f.string("new", maxLength: 1024)
        if let again, again != new { f.fail("again", "the two new passwords differ") }
        if let new { for p in PasswordPolicy.problems(new, email: user.email, name: user.name) { f.fail("new", p) } }
        if let current, !(try await Passwords.verify(current, hash: user.passwordHash)) { f.fail("current", "is not your current password") }
        try f.done()
        let hash = try await Passwords.hash(new!)
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, passwordHash: hash)
            try await s.appendAudit(tenant: user.tenant, actor: "user:\(user.email)", action: "user.password_changed", object: user.id, outcome: "ok",
                                    ip: ip, detail: "every session ended", at: api.clock.now())
        }
    }

    /// Starts enrolling a second factor: a new secret and its `otpauth://` URL (for a QR code).
    func beginTOTP(user: User) async throws -> (secret: String, url: String) {
        guard user.totpSecret == nil else { throw Problem.conflict("a second factor is already on; remove it first") }
        let secret = SecretToken.make(bytes: 15)
        try await store.write { try await $0.updateUser(user.tenant, id: user.id, totpPending: .some(secret)) }
        return (secret, Self.otpauthURL(secret: secret, email: user.email))
    }

    /// `{code}`: the app shows the right code → the second factor is on. Audited as `user.totp_enabled`.
    func confirmTOTP(_ f: inout Fields, user: User, ip: String?) async throws {
        let code = f.string("code", maxLength: 12)
        if user.totpPending == nil { f.fail("code", "there is no enrolment to confirm; start one first") }
        if let code, let pending = user.totpPending, !Self.totpMatches(code, secret: pending, now: api.clock.now()) {
            f.fail("code", "does not match; check the phone's clock and try the next one")
        }
        try f.done()
        try await store.write { s in
            try await s.updateUser(user.tenant, id: user.id, totpSecret: .some(user.totpPending), totpPending: .some(nil))
            try await s.appendAudit(tenant: user.tenant, actor: "user:\(user.email)", action: "user.totp_enabled", object: user.id, outcome: "ok",
                                    ip: ip, detail: "", at: api.clock.now())
        }
    }

    /// Only an owner may make, change or remove an owner.
    static func checkOwnership(_ caller: Principal, touching role: Role?) throws {
        if !caller.role.mayGrant(role) {
            throw Problem(type: "https://overdue.dev/problems/forbidden", title: "Forbidden", status: 403, detail: "only an owner may grant or change the owner role")
        }
    }

    /// `{email, name?, role, password}`: a new user of the caller's tenant (409 if the email is taken).
    func createUser(_ f: inout Fields, caller: Principal) async throws -> User {
        let email = f.string("email", maxLength: 320)?.lowercased()
        if let email, !Self.looksLikeEmail(email) { f.fail("email", "is not an email address") }
        let name = f.string("name", required: false, maxLength: 200)
        let role = f.choice("role", Role.self)
        let password = f.string("password", maxLength: 1024)
        if let password { for p in PasswordPolicy.problems(password, email: email, name: name) { f.fail("password", p) } }
        try f.done()
        try Self.checkOwnership(caller, touching: role)
        let hash = try await Passwords.hash(password!)
        guard let user = try await store.write({ try await $0.createUser(caller.tenant, email: email!, name: name ?? email!, role: role!, passwordHash: hash, now: api.clock.now()) }) else {
            throw Problem.conflict("a user with email \(email!) exists")
        }
        return user
    }

    /// `{role?, name?, disabled?}` for `user`; nobody demotes or disables themselves.
    func updateUser(_ f: inout Fields, user: User, caller: Principal) async throws {
        let role = f.choice("role", Role.self, required: false)
        let name = f.string("name", required: false, maxLength: 200)
        let disabled = f.bool("disabled")
        if user.id == caller.userID && (role.map { $0 != user.role } ?? false || disabled == true) {
            f.fail(role != nil && role != user.role ? "role" : "disabled", "you cannot demote or disable yourself; ask another owner or admin")
        }
        try f.done()
        try Self.checkOwnership(caller, touching: role)
        try Self.checkOwnership(caller, touching: user.role)
        // Only what changes is written: a new role or status ends the user's sessions.
        var status: Date?? = nil
        if let disabled, disabled != (user.disabledAt != nil) { status = .some(disabled ? api.clock.now() : nil) }
        let newRole = role == user.role ? nil : role
        try await store.write { try await $0.updateUser(user.tenant, id: user.id, role: newRole, name: name, disabledAt: status) }
    }

    /// `{name, role}`: a new API key; its secret is in this answer only.
    func createKey(_ f: inout Fields, caller: Principal) async throws -> (key: String, record: APIKey) {
        let name = f.string("name", maxLength: 200)
        let role = f.choice("role", Role.self)
        try f.done()
        return try await api.useCases.createAPIKey(tenant: caller.tenant, name: name!, role: role!, by: caller.actor, grantor: caller.role)
    }
}

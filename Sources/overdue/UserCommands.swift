import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueServer
import OverdueStore

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "People who sign in: make one, list them, switch one off.",
                                                    subcommands: [Create.self, List.self, Disable.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a user of the tenant (the first owner, say).",
            discussion: """
                The password is read from standard input (one line) when it is not a terminal, else asked for twice
                without echo; or from OVERDUE_PASSWORD. It must be at least 12 characters and not a common password.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Sign-in email.") var email: String
        @Option(help: "owner, admin, manager, collector or viewer.") var role: String
        @Option(help: "Their name (default: the email).") var name: String?

        func run() async throws {
            guard let r = Role(rawValue: role.lowercased()) else {
                throw CLIError.badInput("--role '\(role)' must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let address = email.trimmingCharacters(in: .whitespaces).lowercased()
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { throw CLIError.badInput("--email '\(email)' is not an email address") }
            let password = try readPassword()
            let problems = PasswordPolicy.problems(password, email: address, name: name)
            guard problems.isEmpty else { throw CLIError.badInput("the password " + problems.joined(separator: "; ")) }
            let hash = try await Passwords.hash(password)
            let tenant = try global.tenantID()
            let who = name ?? address
            let user = try await global.withStore(tenant: tenant) { store in
                try await store.write { s -> User? in
                    guard let user = try await s.createUser(tenant, email: address, name: who, role: r, passwordHash: hash, now: wallClock.now()) else { return nil }
                    try await s.appendAudit(tenant: tenant, actor: cliActor, action: "user.created", object: user.id, outcome: "ok", ip: nil,
                                            detail: "\(address), role \(r.rawValue)", at: wallClock.now())
                    return user
                }
            }
            guard let user else { throw CLIError.badInput("a user with email \(address) exists") }
            say("user \(user.id) \(address) (\(r.rawValue), tenant \(tenant)) created; sign in at /auth/login")
        }

        func readPassword() throws -> String {
            if let env = ProcessInfo.processInfo.environment["OVERDUE_PASSWORD"], !env.isEmpty { return env }
            if isatty(STDIN_FILENO) == 0 {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CLIError.badInput("no password on standard input") }
                return line
            }
            guard let first = getpass("Password: ").map({ String(cString: $0) }), let again = getpass("Again: ").map({ String(cString: $0) }) else {
                throw CLIError.badInput("no password given")
            }
            guard first == again else { throw CLIError.badInput("the two passwords differ") }
            return first
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's users.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let tenant = try global.tenantID()
            let users = try await global.withStore(tenant: tenant) { store in try await store.read { try await $0.users(tenant) } }
            say(users.isEmpty ? "no users (make one: overdue users create --email you@example.com --role owner)" :
                Listing.table(header: ["ID", "EMAIL", "NAME", "ROLE", "2FA", "LAST SIGN-IN (UTC)", "DISABLED"],
                              rows: users.map { [$0.id, $0.email, $0.name, $0.role.rawValue, $0.totpSecret == nil ? "" : "totp",
                                                 $0.lastLoginAt.map(Timestamp.format) ?? "", $0.disabledAt.map(Timestamp.format) ?? ""] }))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a user off: their sessions end at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's email.") var email: String

        func run() async throws {
            let tenant = try global.tenantID()
            let address = email.lowercased()
            let done = try await global.withStore(tenant: tenant) { store in
                try await store.write { s -> Bool in
                    guard let user = try await s.user(email: address), user.tenant == tenant else { return false }
                    try await s.updateUser(tenant, id: user.id, disabledAt: .some(wallClock.now()))
                    try await s.appendAudit(tenant: tenant, actor: cliActor, action: "user.disabled", object: user.id, outcome: "ok", ip: nil, detail: address, at: wallClock.now())
                    return true
                }
            }
            guard done else { throw CLIError.badInput("no user \(address) in tenant \(tenant)") }
            say("\(address) disabled")
        }
    }
}

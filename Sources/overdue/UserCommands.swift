import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueServer
import OverdueUseCases

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "People who sign in: make one, list them, switch one off.",
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
            guard UseCases.looksLikeEmail(address) else { throw CLIError.badInput("--email '\(email)' is not an email address") }
            let password = try readPassword()
            let tenant = try global.tenantID()
            let who = name
            let user = try await global.withRuntime(tenant: tenant) { runtime in
                do {
                    return try await runtime.useCases.createUser(
                        tenant: tenant, email: address, name: who, role: r, password: password, by: cliActor, grantor: nil)
                } catch let refused as UseCaseError {
                    // The password's problems read as a sentence about it; the others as they are.
                    let password = refused.problems.filter { $0.field == "password" }.map(\.message)
                    let others = refused.problems.filter { $0.field != "password" }.map(\.message)
                    throw CLIError.badInput(
                        (password.isEmpty ? [] : ["the password " + password.joined(separator: "; ")]).joined() + others.joined(separator: "; "))
                }
            }
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
            let users = try await global.withRuntime(tenant: tenant) { try await $0.useCases.users(tenant: tenant) }
            say(
                users.isEmpty
                    ? "no users (make one: overdue users create --email you@example.com --role owner)"
                    : Listing.table(
                        header: ["ID", "EMAIL", "NAME", "ROLE", "2FA", "LAST SIGN-IN (UTC)", "DISABLED"],
                        rows: users.map {
                            [
                                $0.id, $0.email, $0.name, $0.role.rawValue, $0.totpSecret == nil ? "" : "totp",
                                $0.lastLoginAt.map(Timestamp.format) ?? "", $0.disabledAt.map(Timestamp.format) ?? "",
                            ]
                        }))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a user off: their sessions end at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's email.") var email: String

        func run() async throws {
            let tenant = try global.tenantID()
            let address = email.lowercased()
            try await global.withRuntime(tenant: tenant) { runtime in
                try await CLIError.presenting { try await runtime.useCases.disableUser(tenant: tenant, email: address, by: cliActor) }
            }
            say("\(address) disabled")
        }
    }
}

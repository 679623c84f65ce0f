import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// Signing in and out, and one's own account: password and second factor.
extension DashboardController {
    @Sendable func loginPage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        if try await viewer(request) != nil { return Self.redirect("/app") }
        return Self.html(Pages.login(error: nil, email: "", next: Self.safeNext(request.uri.queryParameters.get("next"))))
    }

    /// Only a path on this site: never an open redirect.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/app"), !next.contains("//"), !next.contains("\\") else { return "/app" }
        return next
    }

    @Sendable func login(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard !CrossSite.isCrossSite(request) else {
            return Self.html(Pages.login(error: CrossSite.refusal.detail, email: "", next: "/app"), status: .forbidden)
        }
        let buffer = try await request.body.collect(upTo: 1 << 16)
        var fields: [String: String] = [:]
        for (k, v) in Form.decode(String(buffer: buffer)) { fields[k] = v }
        let next = Self.safeNext(fields["next"])
        do {
            let (token, _) = try await accounts.authenticate(
                email: fields["email"] ?? "", password: fields["password"] ?? "",
                totp: fields["totp"].flatMap { $0.isEmpty ? nil : $0 }, ip: context.clientIP(request))
            var response = Self.redirect(next)
            response.setCookie(accounts.cookie(token))
            return response
        } catch let problem as Problem {
            return Self.html(
                Pages.login(error: problem.detail, email: fields["email"] ?? "", next: next), status: problem.status == 429 ? .tooManyRequests : .unauthorized)
        }
    }

    @Sendable func logout(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (_, session) = try await viewer(request), let token = request.cookies[AccountsController.cookieName]?.value else {
            return Self.redirect("/login")
        }
        _ = try await form(request, session, context: context)
        try await api.useCases.signOut(token: token, session: session, object: "/logout", ip: context.clientIP(request))
        var response = Self.redirect("/login")
        response.setCookie(accounts.cookie(""))
        return response
    }

    @Sendable func account(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let notice = request.uri.queryParameters.get("done").map {
            $0 == "password" ? "Password changed. Sign in again on your other devices." : "Second factor is on."
        }
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: nil, notice: notice, errors: []))
    }

    /// A validation problem's field errors as sentences for a form: "New password: is too short".
    static func sentences(_ problem: Problem, labels: [String: String]) -> [String] {
        guard let errors = problem.errors, !errors.isEmpty else { return [problem.detail] }
        return errors.map { e in
            let key = String(e.pointer.split(separator: "/").last ?? "")
            return "\(labels[key] ?? key): \(e.detail)."
        }
    }

    static let accountLabels = ["current": "Current password", "new": "New password", "code": "Code"]

    @Sendable func changePassword(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        var posted = try await form(request, session, context: context)
        let again = posted.removeValue(forKey: "again")
        let user = session.user
        var f = AccountsController.fields(form: posted)
        let fresh: (token: String, session: UserSession)?
        do {
            fresh = try await accounts.changePassword(&f, user: user, ip: context.clientIP(request), again: again ?? "", keepSignedIn: true)
        } catch let problem as Problem where problem.status == 422 {
            return Self.html(
                Pages.account(
                    viewer: viewer, user: user, enrolment: nil, notice: nil,
                    errors: Self.sentences(problem, labels: Self.accountLabels.merging(["again": "New password again"]) { a, _ in a })),
                status: .unprocessableContent)
        }
        // Every session ended with the old password; this browser got a fresh one.
        var response = Self.redirect("/app/account?done=password")
        if let fresh { response.setCookie(accounts.cookie(fresh.token)) }
        return response
    }

    @Sendable func beginTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        _ = try await form(request, session, context: context)
        guard session.user.totpSecret == nil else { return Self.redirect("/app/account") }
        let enrolment = try await api.useCases.beginSecondFactor(user: session.user)
        return Self.html(Pages.account(viewer: viewer, user: session.user, enrolment: enrolment, notice: nil, errors: []))
    }

    @Sendable func confirmTOTP(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let (viewer, session) = try await viewer(request) else { return signIn(request) }
        let user = session.user
        var f = AccountsController.fields(form: try await form(request, session, context: context))
        do {
            try await accounts.confirmTOTP(&f, user: user, ip: context.clientIP(request))
        } catch let problem as Problem where problem.status == 422 {
            let enrolment = user.totpPending.map { ($0, SecondFactor.url(secret: $0, email: user.email)) }
            return Self.html(
                Pages.account(viewer: viewer, user: user, enrolment: enrolment, notice: nil, errors: Self.sentences(problem, labels: Self.accountLabels)),
                status: .unprocessableContent)
        }
        return Self.redirect("/app/account?done=totp")
    }
}

import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationEssentialsCompat
import NIOCore
import OverdueCore
import OverdueUseCases

/// `Idempotency-Key` on `/api/v1` POSTs, with Stripe's semantics: the first answer to a key is kept
/// for 24 hours and replayed (`Idempotent-Replayed: true`) for the same request; the same key
/// with a different request gets 422; while the first is still running, 409. Server errors are not
/// kept, so a retry runs again. Keys are per caller (a colleague reusing someone's key gets
/// nothing of theirs), and an answer that carries a secret (a new API key, a second-factor secret,
/// a webhook's signing secret) is never kept: its replay says so instead.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = OverdueRequestContext
    let useCases: UseCases

    static func problem(_ status: Int, _ title: String, _ detail: String) -> Problem {
        Problem(type: Problem.base + "idempotency-\(status == 409 ? "in-flight" : "mismatch")", title: title, status: status, detail: detail)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let given = request.headers[HTTPField.Name("Idempotency-Key")!], let principal = context.principal else {
            return try await next(request, context)
        }
        guard !given.isEmpty, given.count <= 255 else { throw Self.problem(422, "Invalid Idempotency-Key", "the Idempotency-Key must be 1 to 255 characters") }
        let tenant = principal.tenant
        let key = principal.actor + " " + given
        let body = try await request.body.collect(upTo: 25 << 20)
        let digest = Hex.string(SHA256.hash(data: Data(buffer: body)))
        let fingerprint = "\(request.method.rawValue) \(request.uri.path) \(digest)"
        switch try await useCases.beginIdempotent(tenant: tenant, key: key, fingerprint: fingerprint) {
        case .mismatch:
            throw Self.problem(422, "Idempotency-Key reused", "this Idempotency-Key was used for a different request (method, path or body); use a new key")
        case .inFlight:
            throw Self.problem(409, "Request in progress", "a request with this Idempotency-Key is still being handled; retry shortly")
        case .replay(let status, let contentType, let stored):
            var headers = HTTPFields()
            if let contentType { headers[.contentType] = contentType }
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored)))
        case .new:
            var replayable = request
            replayable.body = .init(buffer: body)
            let response: Response
            do {
                response = try await next(replayable, context)
            } catch let problem as Problem where problem.status < 500 {
                // A refusal (validation, not found…) is an answer like any other: kept.
                try await keep(tenant, key, problem.response(), path: request.uri.path)
                throw problem
            } catch {
                try? await useCases.dropIdempotent(tenant: tenant, key: key)
                throw error
            }
            guard response.status.code < 500 else {
                try? await useCases.dropIdempotent(tenant: tenant, key: key)
                return response
            }
            return try await keep(tenant, key, response, path: request.uri.path)
        }
    }

    /// Answers that carry a secret shown once: never kept for replay.
    static let secretBearing: Set<String> = ["/api/v1/keys", "/api/v1/users/me/totp", "/api/v1/webhooks"]

    /// Stores the answer (its body only when it carries no secret) and gives back a response with
    /// the same body.
    @discardableResult
    func keep(_ tenant: String, _ key: String, _ response: Response, path: String) async throws -> Response {
        let sink = Sink()
        var response = response
        try await response.body.write(Collector(sink: sink))
        let secret = response.status.code < 300 && Self.secretBearing.contains(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        let text =
            secret
            ? #"{"detail":"the first answer to this Idempotency-Key carried a secret, which is shown only once and not kept: it was done; look it up (or revoke it and make another)"}"#
            : String(buffer: sink.buffer)
        try await useCases.finishIdempotent(
            tenant: tenant, key: key, status: Int(response.status.code), contentType: response.headers[.contentType], body: text)
        response.body = .init(byteBuffer: sink.buffer)
        return response
    }

    final class Sink: @unchecked Sendable {
        // Written by one collector, read after it finishes.
        var buffer = ByteBuffer()
    }

    struct Collector: ResponseBodyWriter {
        let sink: Sink
        mutating func write(_ buffer: ByteBuffer) async throws {
            var b = buffer
            sink.buffer.writeBuffer(&b)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

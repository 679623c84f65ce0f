import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// `POST /webhooks/{twilio|vonage|plivo}/sms` (texts debtors send) and `…/status` (delivery
/// reports), `?tenant=T`. Every request's signature is checked against the tenant's credentials
/// over the URL the provider called (`public_url` + path and query); a bad or missing signature
/// gets 403 and an audit entry, and nothing is stored.
struct ProviderWebhookController: Sendable {
    let useCases: UseCases
    var clock: any Clock { useCases.clock }
    let voice: VoiceAgent

    func register(on router: Router<OverdueRequestContext>) {
        router.post("/webhooks/:provider/sms", use: inbound)
        router.post("/webhooks/:provider/status", use: status)
        // Vonage sends GET by default.
        router.get("/webhooks/:provider/sms", use: inbound)
        router.get("/webhooks/:provider/status", use: status)
        // Twilio Programmable Voice: the answered call, each turn, the final status, the recording.
        router.post("/webhooks/twilio/voice", use: voiceAnswered)
        router.post("/webhooks/twilio/voice/turn", use: voiceTurn)
        router.post("/webhooks/twilio/voice/status", use: voiceStatus)
        router.post("/webhooks/twilio/voice/recording", use: voiceRecording)
    }

    static let providers: Set<String> = ["twilio", "vonage", "plivo"]

    struct Verified {
        let tenant: String
        let provider: String
        let params: [(String, String)]
        let base: String
        func param(_ name: String) -> String? { params.first { $0.0 == name }?.1 }
    }

    /// The request's tenant, provider and parameters once its signature holds.
    func verify(_ request: Request, context: OverdueRequestContext, provider fixed: String? = nil) async throws -> Verified {
        let provider = try fixed ?? context.parameters.require("provider")
        guard Self.providers.contains(provider) else {
            throw Problem.notFound("no provider '\(provider)'")
        }
        let name = request.uri.queryParameters.get("tenant") ?? ""
        guard try await useCases.tenantExists(name) else {
            throw Problem.notFound("no tenant '\(name)'")
        }
        let settings = try await useCases.settings(tenant: name)
        let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
        let contentType = request.headers[.contentType]
        var params: [(String, String)]
        if contentType?.lowercased().hasPrefix("application/json") == true {
            let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
            params = object.map { ($0.key, "\($0.value)") }
        } else {
            params = Form.decode(String(decoding: body, as: UTF8.self))
        }
        let query = Form.decode(request.uri.query ?? "").filter { $0.0 != "tenant" }
        if request.method == .get { params += query }
        let url = settings.value("public_url").map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + request.uri.description }
        let genuine: Bool
        let why: String
        switch provider {
        case "twilio":
            if let url, let token = settings.value("twilio.auth_token") {
                genuine = WebhookSignature.verifyTwilio(
                    url: url, body: body, contentType: contentType, signature: request.headers[HTTPField.Name("X-Twilio-Signature")!],
                    authToken: token)
                why = "X-Twilio-Signature does not match"
            } else {
                (genuine, why) = (false, "public_url or twilio.auth_token is not set")
            }
        case "vonage":
            if let secret = settings.value("vonage.signature_secret") {
                genuine = WebhookSignature.verifyVonage(
                    params: params, secret: secret, method: settings.value("vonage.signature_method") ?? "sha256", now: clock.now())
                why = "sig does not match or timestamp is stale"
            } else {
                (genuine, why) = (false, "vonage.signature_secret is not set")
            }
        default:
            if let url, let token = settings.value("plivo.auth_token") {
                genuine = WebhookSignature.verifyPlivo(
                    url: url, nonce: request.headers[HTTPField.Name("X-Plivo-Signature-V3-Nonce")!],
                    signature: request.headers[HTTPField.Name("X-Plivo-Signature-V3")!],
                    params: request.method == .get ? [] : params, authToken: token)
                why = "X-Plivo-Signature-V3 does not match"
            } else {
                (genuine, why) = (false, "public_url or plivo.auth_token is not set")
            }
        }
        guard genuine else {
            let ip = context.clientIP(request)
            try await useCases.recordAccess(
                tenant: name, actor: "webhook:\(provider)", action: "webhook.rejected", object: request.uri.path, outcome: "denied",
                ip: ip, detail: why)
            context.logger.warning("\(provider) webhook for \(name) refused: \(why)")
            throw Problem.forbidden("the request's signature does not hold")
        }
        return Verified(tenant: name, provider: provider, params: params, base: url.map { _ in settings.value("public_url")! } ?? "")
    }

    static func ok(_ provider: String) -> Response {
        var headers = HTTPFields()
        // Twilio reads the answer as TwiML: an empty one sends nothing back (answers go through the API).
        headers[.contentType] = provider == "twilio" ? "text/xml" : "text/plain"
        let body = provider == "twilio" ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>" : "ok"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    @Sendable func inbound(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context)
        guard let sms = ProviderEvents.inbound(v.provider, v.params) else {
            throw Problem.invalidRequest("not an inbound text from \(v.provider)")
        }
        do {
            // Kept and queued: the worker understands and answers it (a provider gives up on a slow webhook).
            _ = try await useCases.queueReply(tenant: v.tenant, channel: .sms, from: sms.from, text: sms.text, providerID: sms.providerID)
        } catch let refused as UseCaseError where refused.kind == .invalid {
            throw Problem.invalidRequest(refused.problems.map(\.message).joined(separator: "; "))
        }
        return Self.ok(v.provider)
    }

    @Sendable func status(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context)
        guard let update = ProviderEvents.status(v.provider, v.params) else {
            throw Problem.invalidRequest("not a delivery report from \(v.provider)")
        }
        try await useCases.recordDeliveryReport(tenant: v.tenant, update)
        return Self.ok(v.provider)
    }

    static func twiml(_ t: TwiML) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/xml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: t.xml)))
    }

    func callMessage(_ request: Request) throws -> String {
        guard let m = request.uri.queryParameters.get("message"), !m.isEmpty else {
            throw Problem.invalidRequest("the URL names no message")
        }
        return m
    }

    /// `POST /webhooks/twilio/voice?tenant=T&message=M`: the call was answered (`AnsweredBy` says by whom).
    @Sendable func voiceAnswered(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context, provider: "twilio")
        let message = try callMessage(request)
        let t = try await voice.answered(
            tenant: v.tenant, messageID: message, answeredBy: v.param("AnsweredBy"),
            links: .init(base: v.base, tenant: v.tenant, message: message), at: clock.now())
        return Self.twiml(t)
    }

    /// `POST /webhooks/twilio/voice/turn?tenant=T&message=M&turn=N`: what the debtor said (`SpeechResult`) or pressed (`Digits`).
    @Sendable func voiceTurn(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context, provider: "twilio")
        let message = try callMessage(request)
        let turn = Int(request.uri.queryParameters.get("turn") ?? "1") ?? 1
        let silent = Int(request.uri.queryParameters.get("silent") ?? "0") ?? 0
        let asked = min(Int(request.uri.queryParameters.get("asked") ?? "0") ?? 0, CallPolicy.maxReasks)
        let t = try await voice.heard(
            tenant: v.tenant, messageID: message, callID: "twilio:" + (v.param("CallSid") ?? message), turn: turn, silent: silent, asked: asked,
            expect: request.uri.queryParameters.get("expect") == "date" ? "date" : nil,
            speech: v.param("SpeechResult"), digits: v.param("Digits"),
            links: .init(base: v.base, tenant: v.tenant, message: message), at: clock.now())
        return Self.twiml(t)
    }

    /// `POST /webhooks/twilio/voice/status?tenant=T&message=M`: the call's progress and end (`CallStatus`).
    @Sendable func voiceStatus(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context, provider: "twilio")
        let message = try callMessage(request)
        if let status = v.param("CallStatus"), ["completed", "busy", "no-answer", "failed", "canceled"].contains(status) {
            try await voice.status(tenant: v.tenant, messageID: message, status: status, at: clock.now())
        }
        return Self.ok("twilio")
    }

    /// `POST /webhooks/twilio/voice/recording?tenant=T&message=M`: where the recording is (`RecordingUrl`).
    @Sendable func voiceRecording(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let v = try await verify(request, context: context, provider: "twilio")
        let message = try callMessage(request)
        if let url = v.param("RecordingUrl") { try await voice.recording(tenant: v.tenant, messageID: message, url: url) }
        return Self.ok("twilio")
    }
}

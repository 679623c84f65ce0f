import Foundation
import HTTPTypes
import Hummingbird
import OverdueAgents
import OverdueChannels
import OverdueCore
import OverdueUseCases

/// The links inside sent email that act without a login, each found by the message's secret link
/// token: unsubscribe (a page with a button, and RFC 8058 one-click `POST`), and — when the tenant
/// turned tracking on — the open pixel and the click redirect.
struct LinkController: Sendable {
    let useCases: UseCases

    func register(on router: Router<OverdueRequestContext>) {
        router.get("/u/:token", use: unsubscribePage)
        router.post("/u/:token", use: unsubscribe)
        router.get("/o/:pixel", use: pixel)
        router.get("/c/:token", use: click)
    }

    func message(_ token: String) async throws -> (tenant: String, message: MessageRecord)? {
        try await useCases.message(linkToken: token)
    }

    static func page(_ title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex"><title>\(escape(title))</title>
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
            button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}</style>
            </head><body><main><h1>\(escape(title))</h1>\(body)</main></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ s: String) -> String { Markup.escape(s) }

    static let gone = page(
        "Link not found", "<p>This link is not valid. If you meant to unsubscribe, reply to the email with the word “unsubscribe”.</p>",
        status: .notFound)

    /// `GET /u/TOKEN`: a confirmation page. A GET never unsubscribes: mail scanners follow links.
    @Sendable func unsubscribePage(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let found = try await message(try context.parameters.require("token")) else { return Self.gone }
        let who = found.message.to ?? "this address"
        return Self.page(
            "Unsubscribe",
            """
            <p>Stop emails about this account to <strong>\(Self.escape(who))</strong>?</p>
            <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>
            """)
    }

    /// `POST /u/TOKEN`: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page's button.
    @Sendable func unsubscribe(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let found = try await message(try context.parameters.require("token")) else { return Self.gone }
        _ = try? await request.body.collect(upTo: 4096)
        try await useCases.unsubscribe(tenant: found.tenant, message: found.message)
        return Self.page("You are unsubscribed", "<p>No more emails about this account will be sent to \(Self.escape(found.message.to ?? "this address")).</p>")
    }

    static let gif: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ]

    /// `GET /o/TOKEN.gif`: counts an open; always answers the transparent pixel.
    @Sendable func pixel(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        let name = try context.parameters.require("pixel")
        if name.hasSuffix(".gif"), let found = try await message(String(name.dropLast(4))) {
            try await useCases.recordEngagement(tenant: found.tenant, message: found.message.id, click: false)
        }
        var headers = HTTPFields()
        headers[.contentType] = "image/gif"
        headers[.cacheControl] = "no-store, max-age=0"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Self.gif)))
    }

    /// `GET /c/TOKEN?u=URL`: counts a click and redirects — only to a link the message holds.
    @Sendable func click(_ request: Request, context: OverdueRequestContext) async throws -> Response {
        guard let found = try await message(try context.parameters.require("token")), let target = request.uri.queryParameters.get("u"),
            Tracking.isLink(target, of: found.message.body, html: found.message.html)
        else { return Self.gone }
        try await useCases.recordEngagement(tenant: found.tenant, message: found.message.id, click: true)
        var headers = HTTPFields()
        headers[.location] = target
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }
}

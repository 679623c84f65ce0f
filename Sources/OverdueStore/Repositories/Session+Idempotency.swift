import Foundation
import OverdueCore

extension Session {
    /// How long an answer is kept for replay.
    public static let idempotencyWindow: TimeInterval = 24 * 3600

    /// Claims `key` for a request with `fingerprint` (method, path and body hash), or says what
    /// it was used for. A key older than the window is forgotten and claimed afresh.
    public func beginIdempotent(_ tenant: String, key: String, fingerprint: String, now: Date) async throws -> IdempotentRequest {
        // Answers past the window are not kept at all (the table does not grow for ever).
        try await exec(
            "DELETE FROM idempotency_keys WHERE tenant_id = ? AND created_at < ?", [.text(tenant), .time(now.addingTimeInterval(-Self.idempotencyWindow))])
        if let r = try await row("SELECT * FROM idempotency_keys WHERE tenant_id = ? AND key = ?", [.text(tenant), .text(key)]) {
            let created = try r.time("created_at")
            let abandoned = try r.optInt("status") == nil && created < now.addingTimeInterval(-300)
            // Expired, or claimed by a request that never finished (a crash): claimed afresh.
            if created < now.addingTimeInterval(-Self.idempotencyWindow) || abandoned {
                try await exec("DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ?", [.text(tenant), .text(key)])
            } else {
                guard try r.string("fingerprint") == fingerprint else { return .mismatch }
                guard let status = try r.optInt("status") else { return .inFlight }
                return .replay(status: Int(status), contentType: try r.optString("content_type"), body: try r.optString("body") ?? "")
            }
        }
        let claimed = try await rows(
            """
            INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant_id, key) DO NOTHING RETURNING key
            """, [.text(tenant), .text(key), .text(fingerprint), .time(now)])
        // Another request claimed it between the read and the insert.
        return claimed.isEmpty ? .inFlight : .new
    }

    /// Keeps the first answer for `key`.
    public func finishIdempotent(_ tenant: String, key: String, status: Int, contentType: String?, body: String) async throws {
        try await exec(
            "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE tenant_id = ? AND key = ?",
            [.int(Int64(status)), .opt(contentType), .text(body), .text(tenant), .text(key)])
    }

    /// Forgets `key` (the request failed on the server's side: a retry may run it again).
    public func dropIdempotent(_ tenant: String, key: String) async throws {
        try await exec("DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND status IS NULL", [.text(tenant), .text(key)])
    }
}

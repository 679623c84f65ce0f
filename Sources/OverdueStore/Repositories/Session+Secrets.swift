import Crypto
import Foundation
import OverdueCore

/// Secrets at rest: provider tokens, mail passwords, the model's key (the settings marked secret)
/// and second-factor secrets are sealed with AES-GCM under a key derived from the master key
/// (`enc:v1:` then base64 of nonce, ciphertext and tag), bound to where they belong (tenant and
/// setting, or user), so a value copied to another row does not open. A value without the prefix
/// was written before sealing and is read as it is, and sealed when next written.
extension Session {
    static let sealedPrefix = "enc:v1:"

    /// `plain` sealed for `place` (e.g. `setting:TENANT:KEY`).
    func seal(_ plain: String, for place: String) throws -> String {
        let box = try AES.GCM.seal(Data(plain.utf8), using: secretsKey, authenticating: Data(place.utf8))
        guard let combined = box.combined else { throw StoreError.corrupt("cannot seal a secret") }
        return Self.sealedPrefix + combined.base64EncodedString()
    }

    /// The secret `stored` holds for `place` (a value from before sealing is returned as it is).
    func open(_ stored: String, for place: String) throws -> String {
        guard stored.hasPrefix(Self.sealedPrefix) else { return stored }
        guard let data = Data(base64Encoded: String(stored.dropFirst(Self.sealedPrefix.count))),
            let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: secretsKey, authenticating: Data(place.utf8))
        else { throw StoreError.corrupt("a sealed secret for \(place) does not open with this master key") }
        return String(decoding: plain, as: UTF8.self)
    }

    /// Settings as stored: the secret ones sealed.
    func storedSettings(_ tenant: String, _ settings: TenantSettings) throws -> String {
        var values = settings.values
        for (key, value) in values where TenantSettings.definitions[key]?.secret == true && !value.isEmpty {
            values[key] = try seal(value, for: "setting:\(tenant):\(key)")
        }
        return Session.json(values)
    }

    /// Settings from their stored JSON, secrets opened.
    func settings(_ tenant: String, stored json: String) throws -> TenantSettings {
        var values = Self.storedValues(json)
        for (key, value) in values where value.hasPrefix(Self.sealedPrefix) { values[key] = try open(value, for: "setting:\(tenant):\(key)") }
        return TenantSettings(values: values)
    }

    /// The key/value pairs of stored settings JSON (none when it does not read).
    static func storedValues(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    /// Seals every secret still stored in clear (settings of every tenant, second-factor secrets):
    /// run once, when the store first has a master key.
    func sealSecretsInClear() async throws -> Int {
        var sealed = 0
        for r in try await rows("SELECT id, settings FROM tenants") {
            let tenant = try r.string("id")
            let json = try r.string("settings")
            let values = Self.storedValues(json)
            let clear = values.filter { TenantSettings.definitions[$0.key]?.secret == true && !$0.value.isEmpty && !$0.value.hasPrefix(Self.sealedPrefix) }
            guard !clear.isEmpty else { continue }
            try await exec("UPDATE tenants SET settings = ? WHERE id = ?", [.text(try storedSettings(tenant, TenantSettings(values: values))), .text(tenant)])
            sealed += clear.count
        }
        for r in try await rows("SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL") {
            let id = try r.string("id")
            for column in ["totp_secret", "totp_pending"] {
                guard let value = try r.optString(column), !value.hasPrefix(Self.sealedPrefix) else { continue }
                try await exec("UPDATE users SET \(column) = ? WHERE id = ?", [.text(try seal(value, for: "user:\(id):\(column)")), .text(id)])
                sealed += 1
            }
        }
        return sealed
    }
}

import Crypto
import Foundation
import Logging
import OverdueCore

/// The key kept outside the database that protects what the database alone must not be able to
/// forge: the audit chain is an HMAC under a key derived from it. Where it comes from, first found:
///
/// - `OVERDUE_MASTER_KEY`: 32 bytes, base64 (or 64 hex digits);
/// - `OVERDUE_MASTER_KEY_FILE`: a file holding that text;
/// - a SQLite file database: the file `DATABASE.key` beside it, made (mode 0600) when missing;
/// - PostgreSQL: `~/.config/overdue/master.key`, made when missing (every process of an
///   installation must hold the same key: set one of the two variables on every machine);
/// - an in-memory database: a key of the process's own.
///
/// The database keeps a check of the key (`store_facts.master_key_check`), so opening it with
/// another key is refused with a clear error instead of every entry looking forged.
public struct MasterKey: Sendable {
    let key: SymmetricKey
    /// Where the key came from, for messages (never the key).
    public let source: String
    /// The file it is kept in, when it came from one.
    public let file: String?

    /// A key from its 32 bytes.
    public init(bytes: [UInt8], source: String, file: String? = nil) throws(StoreError) {
        guard bytes.count == 32 else { throw StoreError.masterKey("\(source) must hold 32 bytes (base64 or 64 hex digits), not \(bytes.count)") }
        key = SymmetricKey(data: bytes)
        self.source = source
        self.file = file
    }

    /// A new random key.
    public static func random(source: String) -> MasterKey {
        try! MasterKey(bytes: Array(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }), source: source)
    }

    /// The key for `url`, from the environment, a key file, or made (see the type's description).
    public static func load(for url: DatabaseURL, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) throws -> MasterKey {
        if let text = environment["OVERDUE_MASTER_KEY"], !text.isEmpty {
            return try MasterKey(bytes: try decode(text, source: "OVERDUE_MASTER_KEY"), source: "OVERDUE_MASTER_KEY")
        }
        if let path = environment["OVERDUE_MASTER_KEY_FILE"], !path.isEmpty { return try file(path, create: false, logger: logger) }
        switch url.engine {
        case .sqlite:
            guard let path = url.path else { return random(source: "this process (in-memory database)") }
            return try file(path + ".key", create: true, logger: logger)
        case .postgres:
            let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
            return try file(home.appendingPathComponent(".config/overdue/master.key").path, create: true, logger: logger)
        }
    }

    static func file(_ path: String, create: Bool, logger: Logger) throws -> MasterKey {
        let source = "the key file \(path)"
        if let data = FileManager.default.contents(atPath: path) {
            return try MasterKey(bytes: try decode(String(decoding: data, as: UTF8.self), source: source), source: source, file: path)
        }
        guard create else { throw StoreError.masterKey("\(source) cannot be read") }
        do {
            let key = try made(at: path)
            logger.notice("made a new master key in \(path): keep it (and a copy elsewhere); without it the audit log cannot be verified")
            return key
        } catch let error as StoreError {
            // Two processes starting together: the other one made it first.
            if let data = FileManager.default.contents(atPath: path) {
                return try MasterKey(bytes: try decode(String(decoding: data, as: UTF8.self), source: source), source: source, file: path)
            }
            throw error
        }
    }

    /// A new random key, written to a new file at `path` (mode 0600; refused when the file exists).
    public static func made(at path: String) throws -> MasterKey {
        let source = "the key file \(path)"
        let key = try MasterKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }, source: source, file: path)
        let text = key.key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let dir = (path as NSString).deletingLastPathComponent
        do {
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        } catch {
            throw StoreError.masterKey("cannot create the directory of \(source) (\(error.localizedDescription))")
        }
        // Made exclusively: an existing key is never overwritten.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw StoreError.masterKey(errno == EEXIST ? "\(source) exists already" : "cannot create \(source) (errno \(errno))")
        }
        defer { close(fd) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count else { throw StoreError.masterKey("cannot write \(source)") }
        return key
    }

    static func decode(_ text: String, source: String) throws(StoreError) -> [UInt8] {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.count == 64, t.allSatisfy(\.isHexDigit) {
            var bytes: [UInt8] = []
            var i = t.startIndex
            while i < t.endIndex {
                let j = t.index(i, offsetBy: 2)
                bytes.append(UInt8(t[i..<j], radix: 16)!)
                i = j
            }
            return bytes
        }
        guard let data = Data(base64Encoded: t) else { throw StoreError.masterKey("\(source) is neither base64 nor hex") }
        return Array(data)
    }

    /// The purposes keys are derived for.
    enum Purpose {
        static let auditChain = "audit-chain"
        static let secrets = "secrets-at-rest"
        static let messageIDs = "message-ids"
        static let documentLinks = "document-links"
    }

    /// A key for one purpose (HKDF-SHA256 with the purpose as info): keys for different uses never coincide.
    func derived(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("overdue/\(purpose)".utf8), outputByteCount: 32)
    }

    /// A check of the key that reveals nothing of it: kept in the database to tell a wrong key.
    var check: String { Hex.string(HMAC<SHA256>.authenticationCode(for: Data("master-key-check".utf8), using: derived("check"))).prefix(32).description }
}

import Crypto
import Foundation
import OverdueCore
import OverdueStore

/// Documents (POD, BOL, rate confirmation, invoice PDF) kept on disk per tenant, content-addressed,
/// with their metadata in the store.
public struct DocumentLibrary: Sendable {
    /// The directory files are kept under (`TENANT/SHA256.ext`).
    public let directory: URL

    /// Why a document could not be added.
    public struct Failure: Error, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// Creates a library over `directory` (created when the first file is added).
    public init(directory: URL) { self.directory = directory }

    /// The default directory: `OVERDUE_DOCUMENTS_DIR`, else `./overdue-documents`.
    public static var defaultDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["OVERDUE_DOCUMENTS_DIR"] ?? "overdue-documents")
    }

    /// Stores `file` as the `kind` document of `invoice`. The same content added twice is stored once.
    public func add(store: Store, tenant: String, invoice: String, file: URL, kind: DocumentKind, now: Date) async throws -> StoredDocument {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw Failure(description: "\(file.path): cannot read the file (\(error.localizedDescription))")
        }
        guard !data.isEmpty else { throw Failure(description: "\(file.path): the file is empty") }
        return try await add(store: store, tenant: tenant, invoice: invoice, data: data, filename: file.lastPathComponent, kind: kind, now: now)
    }

    /// Stores `data` (named `filename`) as the `kind` document of `invoice` — an upload.
    public func add(store: Store, tenant: String, invoice: String, data: Data, filename: String, kind: DocumentKind, now: Date) async throws -> StoredDocument {
        guard !data.isEmpty else { throw Failure(description: "\(filename): the file is empty") }
        let file = URL(fileURLWithPath: filename)
        let debtors = try await store.read { try await $0.invoiceDebtors(tenant, numbers: [invoice]) }
        guard let debtor = debtors[invoice] else { throw Failure(description: "invoice '\(invoice)': no such invoice in tenant \(tenant)") }
        let sha = Hex.string(SHA256.hash(data: data))
        let ext = file.pathExtension.lowercased()
        let relative = "\(tenant)/\(sha)\(ext.isEmpty ? "" : "." + ext)"
        let target = directory.appendingPathComponent(relative)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: target.path) {
                // Written whole under a temporary name, then renamed: a crash never leaves half a file.
                let temp = target.deletingLastPathComponent().appendingPathComponent(".\(sha).\(UUID().uuidString).tmp")
                try data.write(to: temp)
                try FileManager.default.moveItem(at: temp, to: target)
            }
        } catch {
            throw Failure(description: "\(target.path): cannot store the file (\(error.localizedDescription))")
        }
        let document = StoredDocument(
            ref: DocumentRef(
                id: "doc_" + StableHash.hex("\(tenant)\u{1F}\(invoice)\u{1F}\(kind.rawValue)\u{1F}\(sha)"), invoiceNumber: invoice, kind: kind,
                filename: file.lastPathComponent, contentType: Self.contentType(ext), size: Int64(data.count), sha256: sha),
            debtorID: debtor, path: relative, token: SecretToken.make(),
            createdAt: now)
        try await store.write { try await $0.insertDocument(tenant, document) }
        return try await store.read { try await $0.documents(tenant, debtor: debtor) }.first { $0.ref.id == document.ref.id } ?? document
    }

    /// The file of a stored document.
    public func file(_ d: StoredDocument) -> URL { directory.appendingPathComponent(d.path) }

    /// How long a document link sent to a debtor opens the document.
    public static let linkLifetime: TimeInterval = 30 * 86_400

    /// The private download link of a document, when the server's public URL is known: valid
    /// for `linkLifetime` from `now`, its expiry signed (`Store.linkSignature`).
    public static func link(_ d: StoredDocument, publicURL: String?, store: Store, now: Date) -> String? {
        guard let base = publicURL else { return nil }
        let expires = Int64((now + linkLifetime).timeIntervalSince1970)
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/d/" + d.token + "?e=\(expires)&s=" + store.linkSignature(d.token, expires: expires)
    }

    static func contentType(_ ext: String) -> String {
        switch ext {
        case "pdf": return "application/pdf"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "tif", "tiff": return "image/tiff"
        case "txt": return "text/plain"
        default: return "application/octet-stream"
        }
    }
}

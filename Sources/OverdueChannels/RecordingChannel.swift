import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import OverdueCore

/// A sandbox that keeps a durable record of every call it receives: one JSON line per `send`,
/// appended to a file, with no deduplication — a message handed over twice is recorded twice. It is
/// the "provider's record" that crash and scale-out tests count (0 lost, 0 duplicates), so a
/// duplicate Overdue sends is seen, not absorbed. `trace` answers like a provider asked about a key.
public struct RecordingChannel: ChannelAdapter {
    /// The record file.
    public let file: URL

    /// Records deliveries into `file` (created if missing).
    public init(file: URL) {
        self.file = file
        if !FileManager.default.fileExists(atPath: file.path) { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
    }

    /// The channels this adapter serves.
    public var channels: Set<Channel> { Set(Channel.allCases) }

    struct Entry: Codable { let key: String; let id: String; let channel: String; let to: String }

    /// Every recorded delivery, in order.
    public func deliveries() -> [(key: String, id: String, channel: String, to: String)] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Entry.self, from: Data($0)) }
            .map { ($0.key, $0.id, $0.channel, $0.to) }
    }

    /// Hands the message to the provider (`ChannelAdapter`).
    public func send(_ message: OutboundMessage) async throws(DeliveryError) -> DeliveryReceipt {
        guard let handle = try? FileHandle(forUpdating: file) else { throw .temporary("cannot open \(file.path)") }
        defer { try? handle.close() }
        // An exclusive lock on the file: worker processes (and threads) record one at a time.
        guard flock(handle.fileDescriptor, LOCK_EX) == 0 else { throw .temporary("cannot lock \(file.path)") }
        defer { _ = flock(handle.fileDescriptor, LOCK_UN) }
        let line = (try? Self.encoder.encode(Entry(key: message.key, id: message.id, channel: message.channel.rawValue, to: message.to))) ?? Data()
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: line + Data("\n".utf8))
            try handle.synchronize()
        } catch {
            throw .temporary("cannot append to \(file.path): \(error)")
        }
        return DeliveryReceipt(providerID: "rec-\(message.id)")
    }

    /// Whether the provider has the message with this key (`ChannelAdapter`).
    public func trace(key: String) async throws(DeliveryError) -> DeliveryTrace {
        contains(key: key) ? .delivered(DeliveryReceipt(providerID: "rec-\(key)")) : .notFound
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// Whether a delivery with `key` is recorded: a byte search, so a record of thousands stays cheap.
    func contains(key: String) -> Bool {
        guard let data = try? Data(contentsOf: file), let needle = try? Self.encoder.encode(["key": key]) else { return false }
        // `{"key":"…"}` minus its braces is exactly how the key stands in a recorded line.
        return data.range(of: needle.dropFirst().dropLast()) != nil
    }
}

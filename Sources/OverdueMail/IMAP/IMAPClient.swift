import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to read mail.
public struct IMAPConfiguration: Sendable {
    /// Server host.
    public var host: String
    /// Server port (143 with STARTTLS, 993 with TLS).
    public var port: Int
    /// Security.
    public var security: MailSecurity
    /// Login user.
    public var username: String
    /// Password; never logged.
    public var password: String
    /// Timeout for connecting and for each command.
    public var timeout: TimeAmount
    /// TLS settings.
    public var tls: TLSConfiguration

    /// Creates a configuration.
    public init(
        host: String, port: Int, security: MailSecurity, username: String, password: String, timeout: TimeAmount = .seconds(30),
        tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.tls = tls
    }
}

/// Why an IMAP operation failed.
public enum IMAPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered NO or BAD.
    case refused(command: String, response: String)
    /// Malformed or unexpected data.
    case protocolError(String)
    /// No answer in time.
    case timeout(String)
    /// The connection failed or closed.
    case connection(String)

    /// What it is, in words.
    public var description: String {
        switch self {
        case .refused(let c, let r): return "IMAP \(c) refused: \(r)"
        case .protocolError(let m): return "IMAP protocol error: \(m)"
        case .timeout(let m): return "IMAP timeout: \(m)"
        case .connection(let m): return "IMAP connection failed: \(m)"
        }
    }
}

/// One server response: its line (literals replaced by `{n}` markers) and the literals' bytes.
public struct IMAPResponse: Sendable {
    /// The text of the response, literals left as their `{n}` markers.
    public var line: String
    /// The literal strings, in order.
    public var literals: [[UInt8]]

    /// Whether this is an untagged (`*`) response.
    public var isUntagged: Bool { line.hasPrefix("* ") }
}

/// The state of a selected mailbox.
public struct MailboxStatus: Hashable, Sendable {
    /// UIDVALIDITY: when it changes, every UID the client remembers is void.
    public var uidValidity: UInt32
    /// The UID the next message will get.
    public var uidNext: UInt32?
    /// Messages in the mailbox.
    public var exists: Int
}

/// One IMAP connection (RFC 9051 / 3501 subset): STARTTLS or TLS, LOGIN (or AUTHENTICATE PLAIN),
/// SELECT, UID SEARCH, UID FETCH BODY.PEEK[], UID STORE \Seen, UID MOVE, IDLE, LOGOUT. Use from
/// one task at a time.
public final class IMAPSession: Sendable {
    let channel: any Channel
    let reader: IMAPReader
    let configuration: IMAPConfiguration
    let logger: Logger
    private let state = NIOLockedValueBox((tag: 0, capabilities: Set<String>()))

    /// The server's capabilities, upper-cased.
    public var capabilities: Set<String> { state.withLockedValue { $0.capabilities } }

    init(channel: any Channel, reader: IMAPReader, configuration: IMAPConfiguration, logger: Logger) {
        self.channel = channel
        self.reader = reader
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects, secures and logs in.
    public static func connect(
        _ configuration: IMAPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "overdue.imap")
    ) async throws(IMAPError) -> IMAPSession {
        let reader = IMAPReader()
        let channel: any Channel
        do {
            channel = try await MailTransport.connect(
                host: configuration.host, port: configuration.port, security: configuration.security,
                tls: configuration.tls, timeout: configuration.timeout, group: group, reader: reader)
        } catch {
            throw .connection("\(configuration.host):\(configuration.port): \(error)")
        }
        let session = IMAPSession(channel: channel, reader: reader, configuration: configuration, logger: logger)
        do {
            try await session.start()
        } catch {
            try? await channel.close().get()
            throw error
        }
        return session
    }

    func start() async throws(IMAPError) {
        let greeting = try await next("greeting")
        guard greeting.line.uppercased().hasPrefix("* OK") || greeting.line.uppercased().hasPrefix("* PREAUTH") else {
            throw .refused(command: "greeting", response: greeting.line)
        }
        try await refreshCapabilities()
        if configuration.security == .starttls {
            guard capabilities.contains("STARTTLS") else {
                throw .protocolError("\(configuration.host) does not offer STARTTLS; refusing to log in in clear text (security: starttls)")
            }
            _ = try await run("STARTTLS")
            do {
                try await MailTransport.startTLS(channel, host: configuration.host, tls: configuration.tls)
            } catch {
                throw .connection("TLS with \(configuration.host): \(error)")
            }
            try await refreshCapabilities()
        }
        if capabilities.contains("LOGINDISABLED") {
            guard capabilities.contains("AUTH=PLAIN"), capabilities.contains("SASL-IR") else {
                throw .protocolError("\(configuration.host) disables LOGIN and offers no AUTHENTICATE PLAIN with SASL-IR")
            }
            let token = Data(([0] + Array(configuration.username.utf8) + [0] + Array(configuration.password.utf8))).base64EncodedString()
            _ = try await run("AUTHENTICATE PLAIN \(token)", redacted: "AUTHENTICATE PLAIN ********")
        } else {
            _ = try await run("LOGIN \(Self.quoted(configuration.username)) \(Self.quoted(configuration.password))", redacted: "LOGIN ******** ********")
        }
        try await refreshCapabilities()
    }

    func refreshCapabilities() async throws(IMAPError) {
        let untagged = try await run("CAPABILITY")
        var caps = Set<String>()
        for r in untagged where r.line.uppercased().hasPrefix("* CAPABILITY") {
            caps.formUnion(r.line.dropFirst(2).split(separator: " ").dropFirst().map { $0.uppercased() })
        }
        let found = caps
        state.withLockedValue { $0.capabilities = found }
    }

    /// Opens `mailbox` read-write.
    public func select(_ mailbox: String) async throws(IMAPError) -> MailboxStatus {
        let untagged = try await run("SELECT \(Self.quoted(mailbox))")
        var validity: UInt32?
        var next: UInt32?
        var exists = 0
        for r in untagged {
            let u = r.line.uppercased()
            if let v = Self.code(u, "UIDVALIDITY") { validity = v }
            if let v = Self.code(u, "UIDNEXT") { next = v }
            let parts = u.split(separator: " ")
            if parts.count >= 3, parts[2] == "EXISTS", let n = Int(parts[1]) { exists = n }
        }
        guard let validity else { throw .protocolError("SELECT \(mailbox): no UIDVALIDITY") }
        return MailboxStatus(uidValidity: validity, uidNext: next, exists: exists)
    }

    /// UIDs of the messages with UID ≥ `from`, ascending.
    public func uids(from: UInt32) async throws(IMAPError) -> [UInt32] {
        let untagged = try await run("UID SEARCH UID \(max(1, from)):*")
        var found: [UInt32] = []
        for r in untagged where r.line.uppercased().hasPrefix("* SEARCH") {
            found += r.line.split(separator: " ").dropFirst(2).compactMap { UInt32($0) }
        }
        // "n:*" always includes the highest UID even when it is below n.
        return Array(Set(found.filter { $0 >= from })).sorted()
    }

    /// The full raw message with `uid`, without marking it seen; nil if it is gone.
    public func fetch(uid: UInt32) async throws(IMAPError) -> [UInt8]? {
        let untagged = try await run("UID FETCH \(uid) BODY.PEEK[]")
        for r in untagged where r.line.uppercased().contains(" FETCH ") && r.line.uppercased().contains("BODY[]") {
            if let literal = r.literals.first { return literal }
        }
        return nil
    }

    /// Marks a message seen.
    public func markSeen(uid: UInt32) async throws(IMAPError) {
        _ = try await run("UID STORE \(uid) +FLAGS.SILENT (\\Seen)")
    }

    /// Moves a message to `mailbox` (MOVE when offered, else COPY + delete + expunge).
    public func move(uid: UInt32, to mailbox: String) async throws(IMAPError) {
        if capabilities.contains("MOVE") {
            _ = try await run("UID MOVE \(uid) \(Self.quoted(mailbox))")
        } else {
            _ = try await run("UID COPY \(uid) \(Self.quoted(mailbox))")
            _ = try await run("UID STORE \(uid) +FLAGS.SILENT (\\Deleted)")
            _ = try await run(capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(uid)" : "EXPUNGE")
        }
    }

    /// Creates `mailbox` if it does not exist.
    public func create(_ mailbox: String) async throws(IMAPError) {
        do { _ = try await run("CREATE \(Self.quoted(mailbox))") } catch {
            // Exists already ("[ALREADYEXISTS]") is fine; anything else is not.
            guard case .refused(_, let r) = error, r.uppercased().contains("EXISTS") else { throw error }
        }
    }

    /// Waits (IDLE) until the server reports new mail or `timeout` passes; returns whether mail arrived.
    /// Servers without IDLE return false at once (poll instead).
    public func idle(timeout: TimeAmount) async throws(IMAPError) -> Bool {
        guard capabilities.contains("IDLE") else { return false }
        let tag = nextTag()
        try await write("\(tag) IDLE\r\n", log: "\(tag) IDLE")
        let cont = try await next("IDLE")
        guard cont.line.hasPrefix("+") else { throw .refused(command: "IDLE", response: cont.line) }
        var arrived = false
        // Other untagged news (a flag another session changed, a server keep-alive) does not end
        // the wait: only new mail, or the deadline, does.
        let deadline = NIODeadline.now() + timeout
        while !arrived {
            let left = deadline - NIODeadline.now()
            guard left > .zero else { break }
            do {
                let r = try await reader.next(on: channel.eventLoop, timeout: left).get()
                arrived = r.line.uppercased().contains("EXISTS") || r.line.uppercased().contains("RECENT")
            } catch IMAPError.timeout {
                break
            } catch {
                throw (error as? IMAPError) ?? .connection("\(error)")
            }
        }
        try await write("DONE\r\n", log: "DONE")
        while true {
            let r = try await next("IDLE done")
            if r.line.hasPrefix(tag + " ") { break }
            if r.line.uppercased().contains("EXISTS") { arrived = true }
        }
        return arrived
    }

    /// Closes the connection at once (a waiting IDLE ends with a connection error).
    public func abort() {
        channel.close(promise: nil)
    }

    /// Logs out and closes.
    public func logout() async {
        _ = try? await run("LOGOUT")
        try? await channel.close().get()
    }

    func nextTag() -> String {
        state.withLockedValue { s in
            s.tag += 1
            return "A\(String(format: "%04d", s.tag))"
        }
    }

    /// Runs a command; returns the untagged responses; throws on NO/BAD.
    func run(_ command: String, redacted: String? = nil) async throws(IMAPError) -> [IMAPResponse] {
        let tag = nextTag()
        try await write("\(tag) \(command)\r\n", log: "\(tag) \(redacted ?? command)")
        var untagged: [IMAPResponse] = []
        while true {
            let r = try await next(redacted ?? command)
            if r.line.hasPrefix(tag + " ") {
                let status = r.line.dropFirst(tag.count + 1).uppercased()
                guard status.hasPrefix("OK") else { throw .refused(command: redacted ?? command, response: String(r.line.dropFirst(tag.count + 1))) }
                return untagged
            }
            untagged.append(r)
        }
    }

    func write(_ text: String, log: String) async throws(IMAPError) {
        logger.trace("C: \(log)")
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(string: text)).get()
        } catch {
            throw .connection("writing \(log.prefix(40)): \(error)")
        }
    }

    func next(_ what: String) async throws(IMAPError) -> IMAPResponse {
        do {
            let r = try await reader.next(on: channel.eventLoop, timeout: configuration.timeout).get()
            logger.trace("S: \(r.line.prefix(200))")
            return r
        } catch let e as IMAPError {
            throw e
        } catch {
            throw .connection("waiting for the answer to \(what.prefix(40)): \(error)")
        }
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The number after `[NAME n]` in an upper-cased response line.
    static func code(_ line: String, _ name: String) -> UInt32? {
        guard let r = line.range(of: "[\(name) ") else { return nil }
        return UInt32(line[r.upperBound...].prefix { $0.isNumber })
    }
}

/// Frames IMAP responses (lines with `{n}` literals). Confined to its channel's event loop.
final class IMAPReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var pending: [UInt8] = []
    private var line: [UInt8] = []
    private var literals: [[UInt8]] = []
    private var literalLeft = 0
    private let queue = ResponseQueue<IMAPResponse>()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        var consumed = 0
        while consumed < pending.count {
            if literalLeft > 0 {
                let take = min(literalLeft, pending.count - consumed)
                literals[literals.count - 1] += pending[consumed..<(consumed + take)]
                literalLeft -= take
                consumed += take
                continue
            }
            guard let nl = pending[consumed...].firstIndex(of: 10) else { break }
            var piece = Array(pending[consumed..<nl])
            consumed = nl + 1
            if piece.last == 13 { piece.removeLast() }
            line += piece
            // A line ending in {n} (or {n+}) announces n bytes of literal before the line goes on.
            if let n = Self.literalLength(line) {
                literals.append([])
                literals[literals.count - 1].reserveCapacity(n)
                literalLeft = n
                line += Array(" ".utf8)
                if n == 0 { continue }
                continue
            }
            deliver(IMAPResponse(line: String(decoding: line, as: UTF8.self), literals: literals))
            line = []
            literals = []
        }
        pending.removeFirst(consumed)
        if line.count > 1 << 20 { fail(.protocolError("response line longer than 1 MiB")) }
    }

    static func literalLength(_ line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connection("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connection("\(error)"))
        context.close(promise: nil)
    }

    private func deliver(_ response: IMAPResponse) { queue.deliver(response) }

    private func fail(_ error: IMAPError) { queue.fail(error) }

    /// The next response, or a timeout after `timeout`.
    func next(on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<IMAPResponse> {
        queue.next(on: loop, timeout: timeout) { IMAPError.timeout("no answer within \(timeout.nanoseconds / 1_000_000) ms") }
    }
}

import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// How the SMTP connection is secured.
public enum MailSecurity: String, Sendable, CaseIterable {
    /// Plain connection upgraded with STARTTLS (submission, port 587). Refused if the server does not offer it.
    case starttls
    /// TLS from the first byte (port 465).
    case tls
    /// No TLS: loopback servers only.
    case none
}

/// Where and how to send.
public struct SMTPConfiguration: Sendable {
    /// Server host.
    public var host: String
    /// Server port.
    public var port: Int
    /// Security.
    public var security: MailSecurity
    /// User for AUTH (nil: no authentication).
    public var username: String?
    /// Password for AUTH; never logged.
    public var password: String?
    /// The name this client greets with (EHLO).
    public var heloName: String
    /// Timeout for connecting and for each command's reply.
    public var timeout: TimeAmount
    /// TLS settings (trust roots, verification).
    public var tls: TLSConfiguration

    /// Creates a configuration.
    public init(
        host: String, port: Int, security: MailSecurity, username: String? = nil, password: String? = nil,
        heloName: String = "overdue.localhost", timeout: TimeAmount = .seconds(30), tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.timeout = timeout
        self.tls = tls
    }
}

/// A server reply: a code and its text lines.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit code.
    public var code: Int
    /// The text of each line.
    public var lines: [String]

    /// What it is, in words.
    public var description: String { "\(code) \(lines.joined(separator: " / "))" }
    /// 2xx or 3xx.
    public var isPositive: Bool { code >= 200 && code < 400 }
    /// 5xx.
    public var isPermanent: Bool { code >= 500 }
}

/// Why sending failed.
public enum SMTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server answered 4xx: try again later.
    case temporary(command: String, reply: SMTPReply)
    /// The server answered 5xx: do not try again.
    case permanent(command: String, reply: SMTPReply)
    /// The server broke the protocol or lacks something required (STARTTLS).
    case protocolError(String)
    /// No reply in time.
    case timeout(String)
    /// The connection failed or closed.
    case connection(String)

    /// What it is, in words.
    public var description: String {
        switch self {
        case .temporary(let c, let r): return "\(c) failed temporarily: \(r)"
        case .permanent(let c, let r): return "\(c) refused: \(r)"
        case .protocolError(let m): return "SMTP protocol error: \(m)"
        case .timeout(let m): return "SMTP timeout: \(m)"
        case .connection(let m): return "SMTP connection failed: \(m)"
        }
    }

    /// Whether trying again later may succeed.
    public var isTemporary: Bool {
        switch self {
        case .permanent: return false
        case .protocolError: return false
        default: return true
        }
    }
}

/// What became of one message.
public struct SMTPSendResult: Hashable, Sendable {
    /// Recipients the server accepted.
    public var accepted: [String]
    /// Recipients it refused, with its reply (5xx: the address is bad; 4xx: try later).
    public var refused: [String: SMTPReply]
    /// The server's answer to the message data (its queue id, usually).
    public var reply: SMTPReply?
}

/// One SMTP connection (RFC 5321): EHLO (HELO fallback), STARTTLS or implicit TLS, AUTH PLAIN/LOGIN,
/// SIZE and PIPELINING when offered, any number of messages, QUIT. Use from one task at a time.
public final class SMTPSession: Sendable {
    let channel: any Channel
    let replies: ReplyReader
    let configuration: SMTPConfiguration
    let logger: Logger
    private let state: NIOLockedValueBox<(extensions: [String: String], quit: Bool)>

    /// The extensions the server offered (EHLO keywords upper-cased → parameters).
    public var extensions: [String: String] { state.withLockedValue { $0.extensions } }

    init(channel: any Channel, replies: ReplyReader, configuration: SMTPConfiguration, logger: Logger) {
        self.channel = channel
        self.replies = replies
        self.configuration = configuration
        self.logger = logger
        self.state = NIOLockedValueBox(([:], false))
    }

    /// Connects, greets, secures and authenticates.
    public static func connect(
        _ configuration: SMTPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "overdue.smtp")
    ) async throws(SMTPError) -> SMTPSession {
        let reader = ReplyReader()
        let channel: any Channel
        do {
            channel = try await MailTransport.connect(
                host: configuration.host, port: configuration.port, security: configuration.security,
                tls: configuration.tls, timeout: configuration.timeout, group: group, reader: reader)
        } catch {
            throw .connection("\(configuration.host):\(configuration.port): \(error)")
        }
        let session = SMTPSession(channel: channel, replies: reader, configuration: configuration, logger: logger)
        do {
            try await session.handshake()
        } catch {
            try? await channel.close().get()
            throw error
        }
        return session
    }

    func handshake() async throws(SMTPError) {
        let greeting = try await next("greeting")
        guard greeting.code == 220 else { throw fail("greeting", greeting) }
        try await hello()
        if configuration.security == .starttls {
            guard extensions["STARTTLS"] != nil else {
                throw .protocolError("\(configuration.host) does not offer STARTTLS; refusing to send in clear text (security: starttls)")
            }
            let r = try await command("STARTTLS")
            guard r.code == 220 else { throw fail("STARTTLS", r) }
            do {
                try await MailTransport.startTLS(channel, host: configuration.host, tls: configuration.tls)
            } catch {
                throw .connection("TLS with \(configuration.host): \(error)")
            }
            // RFC 3207: forget what was learnt before TLS and greet again.
            try await hello()
        }
        if let user = configuration.username, let password = configuration.password {
            try await authenticate(user: user, password: password)
        }
    }

    func hello() async throws(SMTPError) {
        var r = try await command("EHLO \(configuration.heloName)")
        var offered: [String: String] = [:]
        if r.code == 250 {
            for line in r.lines.dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard let key = parts.first else { continue }
                offered[key.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
            }
        } else {
            r = try await command("HELO \(configuration.heloName)")
            guard r.code == 250 else { throw fail("HELO", r) }
        }
        let found = offered
        state.withLockedValue { $0.extensions = found }
    }

    func authenticate(user: String, password: String) async throws(SMTPError) {
        let mechanisms = Set((extensions["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
        if mechanisms.contains("PLAIN") || mechanisms.isEmpty {
            let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            let r = try await command("AUTH PLAIN \(token)", redacted: "AUTH PLAIN ********")
            guard r.code == 235 else { throw fail("AUTH PLAIN", r) }
        } else if mechanisms.contains("LOGIN") {
            var r = try await command("AUTH LOGIN")
            guard r.code == 334 else { throw fail("AUTH LOGIN", r) }
            r = try await command(Data(user.utf8).base64EncodedString(), redacted: "(user)")
            guard r.code == 334 else { throw fail("AUTH LOGIN", r) }
            r = try await command(Data(password.utf8).base64EncodedString(), redacted: "(password)")
            guard r.code == 235 else { throw fail("AUTH LOGIN", r) }
        } else {
            throw .protocolError("\(configuration.host) offers AUTH \(mechanisms.sorted().joined(separator: " ")), none of PLAIN or LOGIN")
        }
    }

    /// Sends one message (`data` as built by `MIMEBuilder`, not yet dot-stuffed) from `sender` to `recipients`.
    /// Throws when the whole message failed; per-recipient refusals are in the result.
    public func send(from sender: String, to recipients: [String], data: [UInt8]) async throws(SMTPError) -> SMTPSendResult {
        guard !recipients.isEmpty else { throw .protocolError("no recipients") }
        if let limit = extensions["SIZE"].flatMap({ Int($0) }), limit > 0, data.count > limit {
            throw .permanent(
                command: "MAIL FROM", reply: SMTPReply(code: 552, lines: ["message of \(data.count) bytes exceeds the server's SIZE limit of \(limit)"]))
        }
        var mail = "MAIL FROM:<\(sender)>"
        if extensions["SIZE"] != nil { mail += " SIZE=\(data.count)" }
        let commands = [mail] + recipients.map { "RCPT TO:<\($0)>" }
        var answers: [SMTPReply] = []
        if extensions["PIPELINING"] != nil {
            try await write(commands.joined(separator: "\r\n") + "\r\n", log: commands.joined(separator: " | "))
            for c in commands { answers.append(try await next(c)) }
        } else {
            for c in commands { answers.append(try await command(c)) }
        }
        guard answers[0].isPositive else {
            _ = try? await command("RSET")
            throw fail("MAIL FROM", answers[0])
        }
        var accepted: [String] = []
        var refused: [String: SMTPReply] = [:]
        for (rcpt, reply) in zip(recipients, answers.dropFirst()) {
            if reply.isPositive { accepted.append(rcpt) } else { refused[rcpt] = reply }
        }
        guard !accepted.isEmpty else {
            _ = try? await command("RSET")
            let worst = refused.values.max { $0.code < $1.code }!
            throw fail("RCPT TO", worst)
        }
        let go = try await command("DATA")
        guard go.code == 354 else {
            _ = try? await command("RSET")
            throw fail("DATA", go)
        }
        var payload = MIMEBuilder.dotStuffed(data)
        payload += Array(".\r\n".utf8)
        try await write(payload, log: "(\(data.count) bytes of message data)")
        let done = try await next("end of data")
        guard done.isPositive else { throw fail("DATA", done) }
        return SMTPSendResult(accepted: accepted, refused: refused, reply: done)
    }

    /// Whether the connection is still open (a kept connection may have been closed by the server).
    public var isOpen: Bool { channel.isActive && !state.withLockedValue { $0.quit } }

    /// Says goodbye and closes the connection.
    public func quit() async {
        let already = state.withLockedValue { s -> Bool in
            defer { s.quit = true }
            return s.quit
        }
        guard !already else { return }
        _ = try? await command("QUIT")
        try? await channel.close().get()
    }

    func fail(_ command: String, _ reply: SMTPReply) -> SMTPError {
        reply.isPermanent ? .permanent(command: command, reply: reply) : .temporary(command: command, reply: reply)
    }

    func command(_ line: String, redacted: String? = nil) async throws(SMTPError) -> SMTPReply {
        try await write(line + "\r\n", log: redacted ?? line)
        return try await next(redacted ?? line)
    }

    func write(_ text: String, log: String) async throws(SMTPError) {
        try await write(Array(text.utf8), log: log)
    }

    func write(_ bytes: [UInt8], log: String) async throws(SMTPError) {
        logger.trace("C: \(log)")
        do {
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
        } catch {
            throw .connection("writing \(log.prefix(40)): \(error)")
        }
    }

    func next(_ what: String) async throws(SMTPError) -> SMTPReply {
        do {
            let reply = try await replies.next(on: channel.eventLoop, timeout: configuration.timeout).get()
            logger.trace("S: \(reply)")
            return reply
        } catch let e as SMTPError {
            throw e
        } catch {
            throw .connection("waiting for the reply to \(what): \(error)")
        }
    }
}

/// Collects SMTP reply lines into replies and hands them to whoever waits. Confined to its channel's
/// event loop.
final class ReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var pending: [UInt8] = []
    private var lines: [String] = []
    private let queue = ResponseQueue<SMTPReply>()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let nl = pending.firstIndex(of: 10) {
            var line = Array(pending[..<nl])
            pending.removeSubrange(...nl)
            if line.last == 13 { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            guard text.count >= 3, let code = Int(text.prefix(3)) else {
                fail(.protocolError("malformed reply line '\(text.prefix(80))'"))
                return
            }
            let separator = text.count > 3 ? text[text.index(text.startIndex, offsetBy: 3)] : " "
            lines.append(text.count > 4 ? String(text.dropFirst(4)) : "")
            if separator != "-" {
                deliver(SMTPReply(code: code, lines: lines))
                lines = []
            }
        }
        if pending.count > 64 * 1024 { fail(.protocolError("reply line longer than 64 KiB")) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connection("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connection("\(error)"))
        context.close(promise: nil)
    }

    private func deliver(_ response: SMTPReply) { queue.deliver(response) }

    private func fail(_ error: SMTPError) { queue.fail(error) }

    /// The next response, or a timeout after `timeout`.
    func next(on loop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        queue.next(on: loop, timeout: timeout) { SMTPError.timeout("no reply within \(timeout.nanoseconds / 1_000_000_000) s") }
    }
}

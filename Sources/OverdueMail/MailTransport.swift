import NIOCore
import NIOPosix
import NIOSSL

/// The TCP/TLS plumbing SMTP and IMAP share: connecting (TLS from the first byte when asked) and
/// upgrading a plain connection after STARTTLS.
enum MailTransport {
    /// Connects to `host:port` with `reader` as the protocol handler; TLS first when `security` is `.tls`.
    static func connect(
        host: String, port: Int, security: MailSecurity, tls: TLSConfiguration, timeout: TimeAmount,
        group: any EventLoopGroup, reader: any ChannelHandler & Sendable
    ) async throws -> any Channel {
        let sslContext = security == .tls ? try NIOSSLContext(configuration: tls) : nil
        let name = sniName(host)
        return try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
            .connect(host: host, port: port).get()
    }

    /// Puts TLS in front of the protocol handler (after the server agreed to STARTTLS).
    static func startTLS(_ channel: any Channel, host: String, tls: TLSConfiguration) async throws {
        let context = try NIOSSLContext(configuration: tls)
        let name = sniName(host)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: name), position: .first)
        }.get()
    }

    /// SNI carries names, never addresses.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
    }
}

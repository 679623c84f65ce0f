import Logging
import OverdueCore

/// Wraps a log handler so that no log line carries a card or bank number or a secret, whatever a
/// debtor wrote or an error message quoted (`Redaction`).
public struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler

    /// Wraps `inner`.
    public init(_ inner: any LogHandler) { self.inner = inner }

    /// The level of the wrapped handler.
    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// The metadata of the wrapped handler.
    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    /// One metadata value of the wrapped handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    /// The metadata provider of the wrapped handler.
    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    /// Logs the event with secrets masked.
    public func log(event: LogEvent) {
        var event = event
        event.message = "\(Redaction.redact(event.message.description))"
        event.metadata = event.metadata?.mapValues(Self.redact)
        inner.log(event: event)
    }

    static func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): return .string(Redaction.redact(s))
        case .stringConvertible(let c): return .string(Redaction.redact(c.description))
        case .array(let a): return .array(a.map(redact))
        case .dictionary(let d): return .dictionary(d.mapValues(redact))
        }
    }
}

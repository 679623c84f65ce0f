/// A way to reach a contact.
public enum Channel: String, Codable, Sendable, CaseIterable, Comparable {
    /// Email.
    case email
    /// Text message.
    case sms
    /// Phone call.
    case voice

    /// Whether the channel needs recorded consent (SMS and voice under TCPA and CRTC rules).
    public var needsConsent: Bool { self != .email }

    private var order: Int {
        switch self {
        case .email: 0;
        case .sms: 1;
        case .voice: 2
        }
    }
    /// The order they sort in.
    public static func < (a: Channel, b: Channel) -> Bool { a.order < b.order }
}

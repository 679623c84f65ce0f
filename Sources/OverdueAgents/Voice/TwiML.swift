import Foundation
import OverdueCore

/// TwiML, the XML a Twilio call follows: what to say, when to listen, where to transfer.
public struct TwiML: Hashable, Sendable {
    /// One instruction.
    public enum Verb: Hashable, Sendable {
        /// Speak the text.
        case say(String)
        /// Speak `prompt`, then listen for speech or keys and post what was heard to `action`.
        case gather(action: String, prompt: String, timeout: Int)
        /// Connect the caller to a person at `number`.
        case dial(String)
        /// Wait.
        case pause(Int)
        /// End the call.
        case hangup
    }

    /// The instructions, in order.
    public var verbs: [Verb]

    /// Creates a document.
    public init(_ verbs: [Verb]) { self.verbs = verbs }

    /// What the caller hears, in order (the terminal sandbox prints it; tests read it).
    public var spoken: [String] {
        verbs.compactMap {
            switch $0 {
            case .say(let t): return t
            case .gather(_, let p, _): return p.isEmpty ? nil : p
            default: return nil
            }
        }
    }

    /// What the caller hears before the call listens (all of it when it does not): the words after
    /// a listening step are only said when nothing is heard.
    public var heardFirst: [String] {
        guard let g = verbs.firstIndex(where: { if case .gather = $0 { return true } else { return false } }) else { return spoken }
        return TwiML(Array(verbs[...g])).spoken
    }

    /// Where what the caller says next is posted (the listening step's action), if the call listens.
    public var gatherAction: String? { verbs.lazy.compactMap { if case .gather(let a, _, _) = $0 { return a } else { return nil } }.first }

    /// Whether the call goes on listening.
    public var listens: Bool { verbs.contains { if case .gather = $0 { return true } else { return false } } }
    /// The number the caller is transferred to, if any.
    public var transfer: String? { verbs.lazy.compactMap { if case .dial(let n) = $0 { return n } else { return nil } }.first }

    /// The XML.
    public var xml: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
        for v in verbs {
            switch v {
            case .say(let t): out += "<Say>\(Self.escape(t))</Say>"
            case .gather(let action, let prompt, let timeout):
                out +=
                    "<Gather input=\"speech dtmf\" action=\"\(Self.escape(action))\" method=\"POST\" speechTimeout=\"auto\" timeout=\"\(timeout)\" language=\"en-US\">"
                out += (prompt.isEmpty ? "" : "<Say>\(Self.escape(prompt))</Say>") + "</Gather>"
            case .dial(let n): out += "<Dial>\(Self.escape(n))</Dial>"
            case .pause(let s): out += "<Pause length=\"\(s)\"/>"
            case .hangup: out += "<Hangup/>"
            }
        }
        return out + "</Response>"
    }

    static func escape(_ s: String) -> String { Markup.escape(s) }
}

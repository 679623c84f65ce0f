import Foundation
import Testing
@testable import OverdueCore

/// Which contact a message from a shared address is from: a pure function of the candidates, the
/// conversation, what was last sent there, the invoices named and the time.
@Suite struct SenderMatchTests {
    let at = Date(timeIntervalSince1970: 1_770_000_000)
    let tri = Contact(id: 1, debtorID: "TRI", name: "Priya T", email: "ap@s.example", phone: "+13125550102", timeZone: "America/Chicago")
    let gls = Contact(id: 2, debtorID: "GLS", name: "Priya R", email: "ap@s.example", phone: "+13125550102", timeZone: "America/Chicago")

    func resolve(conversation: Contact? = nil, inCall: Bool = false, lastSent: [String: (contactID: Int64, at: Date)] = [:], named: Set<String> = [])
        -> SenderMatch
    {
        SenderMatch.resolve(
            address: "+13125550102", candidates: [tri, gls], conversation: conversation, inCall: inCall, lastSent: lastSent, namedDebtors: named, at: at)
    }

    func debtor(_ m: SenderMatch) -> String? {
        if case .contact(let c, _) = m { return c.debtorID }
        return nil
    }

    @Test func aSharedAddressIsToldApartOnlyByWhatSaysWhich() {
        // Nothing says which.
        guard case .ambiguous(let debtors, let why) = resolve() else { Issue.record("not ambiguous"); return }
        #expect(debtors == ["GLS", "TRI"] && why.code == "address_shared")
        // The call, the thread, the invoices named, the only recent message.
        #expect(debtor(resolve(conversation: tri, inCall: true, lastSent: ["GLS": (2, at)])) == "TRI")
        #expect(debtor(resolve(conversation: gls)) == "GLS")
        #expect(debtor(resolve(named: ["GLS"])) == "GLS")
        #expect(debtor(resolve(lastSent: ["TRI": (1, at.addingTimeInterval(-86_400))])) == "TRI")
        // Both written to lately, or invoices of both named: a person's.
        #expect(debtor(resolve(lastSent: ["TRI": (1, at.addingTimeInterval(-86_400)), "GLS": (2, at.addingTimeInterval(-60))])) == nil)
        #expect(debtor(resolve(named: ["GLS", "TRI"])) == nil)
        // A message sent long ago, or after the reply, is no conversation.
        #expect(debtor(resolve(lastSent: ["TRI": (1, at.addingTimeInterval(-30 * 86_400))])) == nil)
        #expect(debtor(resolve(lastSent: ["TRI": (1, at.addingTimeInterval(60))])) == nil)
    }

    @Test func anAddressOfOneDebtorOrNoneIsWhatItWas() {
        let one = SenderMatch.resolve(address: "x", candidates: [tri], conversation: nil, inCall: false, lastSent: [:], namedDebtors: [], at: at)
        #expect(debtor(one) == "TRI")
        #expect(SenderMatch.resolve(address: "x", candidates: [], conversation: nil, inCall: false, lastSent: [:], namedDebtors: [], at: at) == .unknown)
    }

    /// Issue 20, finding 1: a thread answered from an address not on file, or mail the receiving
    /// server did not authenticate, names a case but proves no sender.
    @Test func aThreadOrAnAddressWithoutProofIsUnverified() {
        let thread = SenderMatch.resolve(address: "x", candidates: [], conversation: gls, inCall: false, lastSent: [:], namedDebtors: [], at: at)
        guard case .unverified(let c, let why) = thread else { Issue.record("not unverified: \(thread)"); return }
        #expect(c.debtorID == "GLS" && why.code == "thread_other_address")
        let spoofed = SenderMatch.resolve(
            address: "x", candidates: [tri], conversation: nil, inCall: false, lastSent: [:], namedDebtors: [], at: at,
            unauthenticated: Reason("unauthenticated_sender", "dmarc=fail"))
        guard case .unverified(let s, let because) = spoofed else { Issue.record("not unverified: \(spoofed)"); return }
        #expect(s.debtorID == "TRI" && because.code == "unauthenticated_sender" && because.message.contains("dmarc=fail"))
        // A call turn is the call's, whatever anything else says.
        #expect(debtor(SenderMatch.resolve(address: "x", candidates: [], conversation: gls, inCall: true, lastSent: [:], namedDebtors: [], at: at)) == "GLS")
    }
}

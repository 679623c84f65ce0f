import Testing
@testable import OverdueMail

/// RFC 8601 results, believed only from the tenant's own receiving server.
@Suite struct SenderAuthenticationTests {
    let server = "mx.acme.test"

    func verdict(_ results: [String], from: String = "carrier.example") -> SenderAuthentication {
        SenderAuthentication.verdict(results: results, trustedServer: server, fromDomain: from)
    }

    @Test func dmarcDecidesWhenTheTrustedServerRecordedIt() {
        #expect(verdict(["mx.acme.test; dmarc=pass (p=reject dis=none) header.from=carrier.example"]) == .pass(method: "dmarc"))
        #expect(verdict(["MX.ACME.TEST 1; dmarc=pass header.from=Carrier.Example"]).passed, "ids and domains are case-insensitive; a version may follow")
        #expect(!verdict(["mx.acme.test; dmarc=fail header.from=carrier.example; dkim=pass header.d=carrier.example"]).passed, "a DMARC failure stands")
        #expect(!verdict(["mx.acme.test; dmarc=pass header.from=other.example"]).passed, "DMARC for another domain proves nothing")
    }

    @Test func otherwiseAnAlignedDKIMOrSPFPass() {
        #expect(verdict(["mx.acme.test; dkim=pass header.d=carrier.example header.s=s1"]) == .pass(method: "dkim"))
        #expect(verdict(["mx.acme.test; spf=pass smtp.mailfrom=bounces@mail.carrier.example"]) == .pass(method: "spf"), "relaxed alignment")
        #expect(!verdict(["mx.acme.test; spf=pass smtp.mailfrom=bounces@evil.example; dkim=pass header.d=evil.example"]).passed)
        #expect(!verdict(["mx.acme.test; dkim=fail header.d=carrier.example; spf=softfail smtp.mailfrom=carrier.example"]).passed)
        #expect(!verdict(["mx.acme.test; none"]).passed)
    }

    @Test func onlyTheTrustedServersTopHeaderCounts() {
        // Another server's header (a sender can write any) is ignored.
        #expect(!verdict(["mx.evil.test; dmarc=pass header.from=carrier.example"]).passed)
        #expect(!verdict([]).passed)
        // The trusted server's own header is the top one; a forged copy below it does not count.
        #expect(
            !verdict(["mx.acme.test; dmarc=fail header.from=carrier.example", "mx.acme.test; dmarc=pass header.from=carrier.example"]).passed)
        // A comment holding ';' or '=' does not split or fake a result.
        #expect(!verdict(["mx.acme.test (dmarc=pass; header.from=carrier.example); spf=none"]).passed)
        #expect(verdict(["mx.acme.test; dmarc=pass (a ; comment (nested)) header.from=carrier.example"]).passed)
    }
}

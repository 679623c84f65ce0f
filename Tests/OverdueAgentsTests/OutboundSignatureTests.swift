import Crypto
import Foundation
import Testing
@testable import OverdueAgents

@Suite struct OutboundSignatureTests {
    let body = Array(#"{"id":"evt_1","type":"payment.recorded"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func headerIsStripesShapeOverTimestampDotBody() {
        let header = OutboundSignature.sign(body: body, secret: "whsec_abc", time: now)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("1800000000.".utf8) + body, using: SymmetricKey(data: Data("whsec_abc".utf8)))
        #expect(header == "t=1800000000,v1=" + mac.map { String(format: "%02x", $0) }.joined())
        #expect(OutboundSignature.verify(header: header, body: body, secret: "whsec_abc", now: now.addingTimeInterval(299)))
    }

    @Test func tamperedStaleOrWronglyKeyedSignaturesFail() {
        let header = OutboundSignature.sign(body: body, secret: "whsec_abc", time: now)
        #expect(!OutboundSignature.verify(header: header, body: body + [0x20], secret: "whsec_abc", now: now))
        #expect(!OutboundSignature.verify(header: header, body: body, secret: "whsec_abd", now: now))
        #expect(!OutboundSignature.verify(header: header, body: body, secret: "whsec_abc", now: now.addingTimeInterval(301)))
        #expect(!OutboundSignature.verify(header: "v1=deadbeef", body: body, secret: "whsec_abc", now: now))
    }

    @Test func urlsMustBeHTTPSExceptToThisMachine() {
        #expect((try? WebhookURL.validate("https://erp.example.com/hooks").get()) != nil)
        #expect((try? WebhookURL.validate("http://127.0.0.1:8099/x").get()) != nil)
        #expect((try? WebhookURL.validate("http://erp.example.com/hooks").get()) == nil)
        #expect((try? WebhookURL.validate("http://erp.example.com/hooks", allowHTTP: true).get()) != nil)
        #expect((try? WebhookURL.validate("https://user:pw@erp.example.com/").get()) == nil)
        #expect((try? WebhookURL.validate("file:///etc/passwd").get()) == nil)
        #expect((try? WebhookURL.validate("not a url").get()) == nil)
    }
}

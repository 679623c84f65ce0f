import Foundation
import Testing
@testable import OverdueChannels

@Suite struct TrackingTests {
    let html =
        "<html><body><p>Pay at <a href=\"https://pay.example/i?a=1&amp;b=2\">this link</a> or <a href=\"mailto:ar@x.example\">mail</a>.</p></body></html>"

    @Test func offChangesNothingAndEachModeAddsOnlyItsPart() {
        #expect(Tracking.instrument(html, base: "https://od.example", token: "T", mode: .off) == html)
        let opens = Tracking.instrument(html, base: "https://od.example", token: "T", mode: .opens)
        #expect(opens.contains("<img src=\"https://od.example/o/T.gif\""))
        #expect(opens.contains("href=\"https://pay.example/i?a=1&amp;b=2\""))
        let clicks = Tracking.instrument(html, base: "https://od.example", token: "T", mode: .clicks)
        #expect(clicks.contains("href=\"https://od.example/c/T?u=https%3A%2F%2Fpay.example%2Fi%3Fa%3D1%26b%3D2\""))
        #expect(clicks.contains("href=\"mailto:ar@x.example\""))
        #expect(!clicks.contains("/o/T.gif"))
        let all = Tracking.instrument(html, base: "https://od.example", token: "T", mode: .all)
        #expect(all.contains("/o/T.gif\"") && all.contains("/c/T?u="))
        #expect(all.hasSuffix("</body></html>"))
    }

    @Test func theRedirectFollowsOnlyTheMessagesOwnLinks() {
        #expect(Tracking.isLink("https://pay.example/i?a=1&b=2", of: "plain text", html: html))
        #expect(Tracking.isLink("https://pay.example/x", of: "see https://pay.example/x", html: nil))
        #expect(!Tracking.isLink("https://evil.example/", of: "see https://pay.example/x", html: html))
        #expect(!Tracking.isLink("javascript:alert(1)", of: "javascript:alert(1)", html: nil))
        // Issue 20, finding 11: a prefix of a link, or a link with more after it, is no link of the message.
        #expect(!Tracking.isLink("https://pay.carrier.co", of: "pay at https://pay.carrier.com/x today", html: nil))
        #expect(!Tracking.isLink("https://pay.carrier.com/x", of: "pay at https://pay.carrier.com/xyz today", html: nil))
        #expect(!Tracking.isLink("https://pay.example/i?a=1", of: "plain text", html: html))
        #expect(Tracking.isLink("https://pay.carrier.com/x", of: "pay at https://pay.carrier.com/x today", html: nil))
    }
}

import Testing
@testable import OverdueCore

@Suite struct SMSTextTests {
    @Test func gsmTextsSplitAt153AndUnicodeAt67() {
        #expect(SMSText.measure(String(repeating: "a", count: 160)).segments == 1)
        #expect(SMSText.measure(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText.measure(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.measure(String(repeating: "a", count: 307)).segments == 3)
        // The euro sign is in the extension table: two septets.
        #expect(SMSText.measure(String(repeating: "€", count: 80)).units == 160)
        let curly = SMSText.measure("We’ll pay")
        #expect(curly.encoding == .ucs2)
        #expect(SMSText.measure(String(repeating: "é", count: 71)).encoding == .gsm7)
        #expect(SMSText.measure(String(repeating: "ç", count: 71)) == (.ucs2, 71, 2))
    }
}

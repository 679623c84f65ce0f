import Testing
@testable import OverdueCore

/// The byte search hot paths use agrees with lowercasing and `contains`.
@Suite struct ASCIISearchTests {
    @Test func findsWordsIgnoringCaseOnlyWhenAsked() {
        #expect("To stop, reply UNSUBSCRIBE.".containsASCII("unsubscribe", ignoringCase: true))
        #expect(!"To stop, reply UNSUBSCRIBE.".containsASCII("unsubscribe"))
        #expect("Reply STOP to opt out".containsASCII("STOP"))
        #expect(!"Reply stop to opt out".containsASCII("STOP"))
        #expect("Número de cuenta: routing 021000021".containsASCII("ROUTING", ignoringCase: true))
        #expect(!"rout".containsASCII("routing", ignoringCase: true))
        #expect("".containsASCII(""))
        #expect(!"".containsASCII("a"))
        #expect("a/c 1234".containsASCII("a/c"))
        // A word at the very end, and a near miss before it.
        #expect("accoun ACC x".containsASCII("acc ", ignoringCase: true) && "xxabab".containsASCII("abab"))
        #expect("ababc"[...].containsASCII("abc"))
    }

    @Test func agreesWithLowercasingOnRandomText() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aAbBcC /-é1")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0..<14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let word = String((0..<Int.random(in: 1..<4, using: &rng)).map { _ in "abcAB/".randomElement(using: &rng)! })
            #expect(text.containsASCII(word, ignoringCase: true) == text.lowercased().contains(word.lowercased()), "\(text) / \(word)")
            #expect(text.containsASCII(word) == text.contains(word), "\(text) / \(word)")
        }
    }
}

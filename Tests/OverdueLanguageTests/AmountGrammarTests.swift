import OverdueCore
@testable import OverdueLanguage
import Testing

/// The amounts the grammar finds in `text`, as decimal strings.
func amounts(_ text: String) -> [String] {
    Amounts.find(DateExpressions.lex(text.unicodeScalars)).filter { !$0.perUnit }.map(\.decimal)
}

@Suite struct AmountGrammarTests {
    @Test(arguments: [
        ("$2,150", "2150.00"), ("$2150.00", "2150.00"), ("2.150,00 $", "2150.00"), ("12 480,00 $", "12480.00"), ("2k", "2000.00"),
        ("$3.5k", "3500.00"), ("USD 1,200", "1200.00"), ("1 200 $ CAD", "1200.00"), ("$1,875.50", "1875.50"), ("5 mil pesos", "5000.00"),
        ("8 912,66 $", "8912.66"), ("total 3,115.40", "3115.40"),
    ])
    func writtenAmounts(text: String, value: String) {
        #expect(amounts(text).first == value, "\(text)")
    }

    @Test(arguments: [
        ("the invoice for twenty one fifty", "2150.00"), ("twelve thousand four hundred", "12400.00"),
        ("two thousand one hundred and seventy canadian", "2170.00"), ("doce mil pesos", "12000.00"), ("deux mille dollars", "2000.00"),
        ("mil quinientos pesos", "1500.00"), ("cuarenta y ocho mil pesos", "48000.00"), ("catorce mil trescientos pesos", "14300.00"),
        ("one point five k", "1500.00"), ("three fifty", "350.00"), ("fifty three twenty five", "5325.00"), ("thirty one hundred", "3100.00"),
        ("nineteen thousand two hundred six dollars and forty cents", "19206.40"), ("quatre-vingt-dix dollars", "90.00"),
    ])
    func spokenAmounts(text: String, value: String) {
        #expect(amounts(text).first == value, "\(text)")
    }

    @Test func spokenNumbers() {
        func read(_ s: String) -> Int? { SpokenNumbers.read(DateExpressions.tokens(s.unicodeScalars), at: 0)?.value }
        #expect(read("twenty one fifty") == 2150)
        #expect(read("seventeen fifty") == 1750)
        #expect(read("four thousand one hundred twelve") == 4112)
        #expect(read("veintiocho mil") == 28000)
        #expect(read("soixante-dix-sept") == 77)
        #expect(read("a thousand") == 1000)
        #expect(read("nine nine") == 9)
    }

    @Test(arguments: [
        "11 pallets", "net 30", "invoice 5521", "load 448812", "3/19", "555-0112", "in 2026", "38%", "10:30", "eleven pallets",
        "till ten thirty",
    ])
    func notAmounts(text: String) {
        #expect(amounts(text).isEmpty, "\(text)")
    }

    @Test func currencyOnlyWhenNamed() {
        let lx = DateExpressions.lex("paid $900 yesterday".unicodeScalars)
        #expect(Amounts.find(lx).first?.currency == nil)
        #expect(Amounts.find(DateExpressions.lex("1 200 $ CAD".unicodeScalars)).first?.currency == "CAD")
        #expect(Amounts.find(DateExpressions.lex("doce mil pesos".unicodeScalars)).first?.currency == "MXN")
        #expect(Amounts.find(DateExpressions.lex("USD 1,200".unicodeScalars)).first?.currency == "USD")
    }

    @Test func theAmountTheReplyIsAbout() {
        func pick(_ text: String, _ intent: Intent) -> String? {
            let lx = DateExpressions.lex(text.unicodeScalars)
            return AmountChoice.choose(Amounts.find(lx), tokens: lx.map(\.text), intent: intent)?.decimal
        }
        #expect(pick("The rate con says $1,800. You billed us $2,100.", .dispute) == "2100.00")
        #expect(pick("rate was 1800 not 2100", .dispute) == "2100.00")
        #expect(pick("We can't pay the full $4,000. Can we do $1,000 a month?", .paymentPlan) == "1000.00")
        #expect(pick("INV 1 $980.00 + INV 2 $1,140.00 = $2,120.00", .paid) == "2120.00")
        #expect(pick("we need the POD for every payment over $5,000; this one is $6,480.00", .documentRequest) == "6480.00")
    }
}

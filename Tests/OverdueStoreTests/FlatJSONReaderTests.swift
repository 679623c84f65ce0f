import Foundation
import Testing
@testable import OverdueStore
import OverdueCore

/// The reader of the JSON rows a case snapshot is made of.
@Suite struct FlatJSONReaderTests {
    @Test func rowsOfBothEnginesAreRead() throws {
        // SQLite's json_group_array(json_object(…)) and PostgreSQL's json_agg(json_build_object(…)).
        let sqlite =
            #"[{"id":1,"name":"Dana \"DR\" Reyes","email":null,"rate":2.5,"ok":true},{"id":-2,"name":"Zoë\n\u00e9\ud83d\ude9a","email":"a\/b\\c","rate":1e3,"ok":false}]"#
        let postgres =
            #"[{"id" : 1, "name" : "Dana \"DR\" Reyes", "email" : null, "rate" : 2.5, "ok" : true}, {"id" : -2, "name" : "Zoë\n\u00e9\ud83d\ude9a", "email" : "a\/b\\c", "rate" : 1e3, "ok" : false}]"#
        for text in [sqlite, postgres] {
            let rows = try JSONRow.array(text, table: "t")
            #expect(rows.count == 2)
            #expect(try rows[0].int("id") == 1 && rows[1].int("id") == -2)
            #expect(try rows[0].string("name") == "Dana \"DR\" Reyes")
            #expect(try rows[1].string("name") == "Zoë\né🚚")
            #expect(try rows[0].optString("email") == nil)
            #expect(try rows[1].string("email") == "a/b\\c")
            #expect(try rows[0].optString("rate") == "2.5")
            #expect(try rows[1].int("rate") == 1000)
            #expect(try rows[0].bool("ok") && !rows[1].bool("ok"))
        }
        #expect(try JSONRow.array("[]", table: "t").isEmpty)
        #expect(try JSONRow.array(" [ { } ] ", table: "t").count == 1)
    }

    @Test func malformedRowsAreRefusedNamingTheTable() {
        for bad in ["", "[", "[{]", #"[{"a":}]"#, #"[{"a":1}"#, #"[{"a":"x}]"#, #"[{"a":1,}]"#, #"[{"a":nul}]"#, #"[{"a":"\u12"}]"#] {
            #expect {
                try JSONRow.array(bad, table: "contacts")
            } throws: { error in
                "\(error)".contains("contacts")
            }
        }
        // A missing column is named, not read as NULL.
        #expect(throws: StoreError.self) { try JSONRow.array(#"[{"a":1}]"#, table: "t")[0].optString("b") }
    }
}

/// The JSON the store writes by hand for what every planning saves.
@Suite struct HandWrittenJSONTests {
    @Test func stringsAndReasonsReadBackAsWritten() throws {
        let awkward = ["", "plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "bell \u{07} nul \u{00} esc \u{1B}", "Zoë é 🚚 \u{2028}", "a/b"]
        #expect(try JSONDecoder().decode([String].self, from: Data(Session.json(awkward).utf8)) == awkward)
        #expect(Session.json([String]()) == "[]")
        let reasons = awkward.map { Reason(ReasonCode(rawValue: "code_\($0.count)"), $0) }
        let written = Session.json(reasons)
        #expect(try JSONDecoder().decode([Reason].self, from: Data(written.utf8)) == reasons)
        // The same text JSONEncoder wrote before, for plain reasons.
        let plain = [Reason("outside_window", "Outside the contact's window (08:00–20:00 America/Chicago)")]
        #expect(Session.json(plain) == Session.encoded(plain))
        #expect(Session.json([Money]()) == "[]")
        let amounts = [Money(minorUnits: 1250, currency: Currency("EUR")!)]
        #expect(try JSONDecoder().decode([Money].self, from: Data(Session.json(amounts).utf8)) == amounts)
    }
}

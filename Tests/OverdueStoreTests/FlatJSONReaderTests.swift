import Foundation
import Testing
@testable import OverdueStore

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

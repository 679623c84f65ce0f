import Foundation
import Testing
@testable import OverdueCore

@Suite struct CSVReaderTests {
    func records(_ text: String) -> ([CSVReader.Record], CSVReader.SyntaxError?) {
        var r = CSVReader(data: Data(text.utf8))
        var out: [CSVReader.Record] = []
        while let rec = r.next() { out.append(rec) }
        return (out, r.error)
    }

    @Test func quotingCommasQuotesAndLineBreaks() {
        let (rows, error) = records("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n")
        #expect(error == nil)
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func byteOrderMarkIsSkipped() {
        var data = Data([0xEF, 0xBB, 0xBF])
        data.append(Data("Invoice_Number\n1\n".utf8))
        var r = CSVReader(data: data)
        #expect(r.next()?.fields == ["Invoice_Number"])
    }

    @Test func unterminatedQuoteNamesItsLine() {
        let (rows, error) = records("a,b\n1,2\n\"open,3\n4,5\n")
        #expect(rows.count == 2)
        #expect(error?.line == 3)
    }

    @Test func invalidUTF8IsReported() {
        var r = CSVReader(data: Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A]))
        _ = r.next()
        #expect(r.next() == nil)
        #expect(r.error?.message.contains("UTF-8") == true)
    }
}

@Suite struct RowParserTests {
    func parser(_ kind: ImportKind, _ header: String) throws(ImportErrors) -> RowParser {
        try RowParser(
            kind: kind, file: "f.csv", header: .init(line: 1, fields: header.components(separatedBy: ",")), country: "US", timeZone: "America/Chicago")
    }

    @Test func anyColumnOrderAndCase() throws {
        let p = try parser(.invoices, "Due_Date,AMOUNT,currency,debtor_name,debtor_id,issue_date,invoice_number,PRO_number,factored")
        let row = try p.invoice(.init(line: 2, fields: ["3/15/2026", "1,250.00", "usd", "Acme", "D1", "2026-02-13", "INV-1", "PRO9", "yes"])).get()
        #expect(row.invoice.dueDate == Fx.date("2026-03-15"))
        #expect(row.invoice.amount == Fx.usd(125_000))
        #expect(row.invoice.proNumber == "PRO9")
        #expect(row.invoice.factored)
        #expect(row.debtorName == "Acme")
    }

    @Test func missingRequiredColumnsAreAllNamed() {
        do {
            _ = try parser(.invoices, "invoice_number,amount")
            Issue.record("expected header errors")
        } catch {
            let cols = Set(error.errors.compactMap(\.column))
            #expect(cols == ["debtor_id", "debtor_name", "currency", "issue_date", "due_date"])
            #expect(error.errors.allSatisfy { $0.line == 1 && $0.file == "f.csv" })
        }
    }

    @Test func everyBadFieldOfARowIsReported() throws {
        let p = try parser(.invoices, "invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date")
        let result = p.invoice(.init(line: 7, fields: ["", "D1", "Acme", "12,50", "dollars", "2026-02-30", "2026-01-01"]))
        guard case .failure(let e) = result else { Issue.record("expected errors"); return }
        #expect(Set(e.errors.compactMap(\.column)) == ["invoice_number", "amount", "currency", "issue_date"])
        #expect(e.errors.first?.description.hasPrefix("f.csv:7: column 'invoice_number'") == true)
    }

    @Test func contactsNormalisePhonesAndCheckZonesAndConsent() throws {
        let p = try parser(.contacts, "debtor_id,name,email,phone,timezone,sms_consent,call_consent,preferred_channel")
        let c = try p.contact(.init(line: 2, fields: ["D1", "Dana", "dana@x.example", "(312) 555-0101", "", "TRUE", "", "SMS"])).get()
        #expect(c.phone == "+13125550101")
        #expect(c.timeZone == "America/Chicago")
        #expect(c.smsConsent && !c.callConsent)
        #expect(c.preferredChannel == .sms)
        guard case .failure(let e) = p.contact(.init(line: 3, fields: ["D1", "X", "", "", "Mars/Base", "maybe", "", "fax"])) else {
            Issue.record("expected errors"); return
        }
        #expect(Set(e.errors.compactMap(\.column)) == ["email", "timezone", "sms_consent", "preferred_channel"])
    }

    @Test func paymentIdsAreStableAndTellTwinsApart() throws {
        let p = try parser(.payments, "debtor_id,amount,currency,date,reference")
        let rec = CSVReader.Record(line: 2, fields: ["D1", "100", "USD", "2026-02-01", "ACH"])
        let a = try p.payment(rec, occurrence: { _ in 1 }).get(), b = try p.payment(rec, occurrence: { _ in 1 }).get()
        let twin = try p.payment(rec, occurrence: { _ in 2 }).get()
        #expect(a.id == b.id)
        #expect(a.id != twin.id)
    }
}

import ArgumentParser
import Foundation
import OverdueAgents
import OverdueCore
import OverdueLanguage

struct NLUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nlu", abstract: "Reply understanding tools.", subcommands: [NLUClassifyCommand.self])
}

struct NLUClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify replies: JSON lines {\"id\",\"channel\",\"text\"} on stdin → {\"id\",\"intent\",\"confidence\",\"sentiment\",…entities} on stdout.",
        discussion: """
            One output line per input line, in the same order. A line that is not such an object gives \
            {"id":…,"line":N,"error":"…"} and the rest go on (exit 2 at the end if any line was bad). \
            Relative dates ("Friday", "end of the month") resolve against --reference-date (default: today, UTC).
            """)
    @Option(help: "The day replies arrived (YYYY-MM-DD), for relative dates.") var referenceDate: String?

    struct Input: Decodable { let id: String?; let channel: String?; let text: String? }

    struct Output: Encodable {
        let a: ReplyAnalysis
        let id: String
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: .init("id"))
            try c.encode(a.intent.rawValue, forKey: .init("intent"))
            try c.encode((a.confidence * 100).rounded() / 100, forKey: .init("confidence"))
            try c.encode(a.sentiment.rawValue, forKey: .init("sentiment"))
            if a.promiseFrame || a.promiseDate != nil { try c.encode(a.promiseDate?.description, forKey: .init("promise_date")) }
            try c.encodeIfPresent(a.amount, forKey: .init("amount"))
            try c.encodeIfPresent(a.currency, forKey: .init("currency"))
            if !a.invoiceRefs.isEmpty { try c.encode(a.invoiceRefs, forKey: .init("invoice_refs")) }
            try c.encodeIfPresent(a.disputeReason, forKey: .init("dispute_reason"))
            try c.encodeIfPresent(a.document, forKey: .init("document"))
            try c.encodeIfPresent(a.redirect, forKey: .init("redirect"))
            try c.encodeIfPresent(a.returnDate?.description, forKey: .init("return_date"))
            try c.encodeIfPresent(a.optOutChannel, forKey: .init("opt_out_channel"))
            try c.encodeIfPresent(a.keyword, forKey: .init("keyword"))
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    struct Failure: Encodable { let id: String?; let line: Int; let error: String }

    func run() throws {
        let reference: LocalDate
        if let referenceDate {
            guard let d = LocalDate.parse(referenceDate) else { throw CLIError.badInput("--reference-date '\(referenceDate)' is not a date (YYYY-MM-DD)") }
            reference = d
        } else {
            reference = LocalDate(Date(), in: TimeZone(identifier: "UTC")!)
        }
        let decoder = JSONDecoder()
        var bad = 0
        var number = 0
        var out = ""
        while let line = readLine(strippingNewline: true) {
            number += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let input: Input
            do {
                input = try decoder.decode(Input.self, from: Data(line.utf8))
            } catch {
                bad += 1
                out += Listing.jsonLine(Failure(id: nil, line: number, error: "not a JSON object with id, channel and text")) + "\n"
                continue
            }
            guard let id = input.id, let text = input.text else {
                bad += 1
                out += Listing.jsonLine(Failure(id: input.id, line: number, error: input.id == nil ? "missing \"id\"" : "missing \"text\"")) + "\n"
                continue
            }
            guard let channel = Channel(rawValue: (input.channel ?? "email").lowercased()) else {
                bad += 1
                out += Listing.jsonLine(Failure(id: id, line: number, error: "\"channel\" must be email, sms or voice (got '\(input.channel ?? "")')")) + "\n"
                continue
            }
            out += Listing.jsonLine(Output(a: ReplyReader.read(text, channel: channel, reference: reference), id: id)) + "\n"
            if out.utf8.count > 1 << 16 { say(String(out.dropLast())); out = "" }
        }
        if !out.isEmpty { say(String(out.dropLast())) }
        if bad > 0 {
            note("\(bad) bad line(s); see the error lines in the output")
            throw ExitCode(2)
        }
    }
}

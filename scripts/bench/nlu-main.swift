// The reply reader's speed on its own: OverdueCore and OverdueLanguage compiled with -O and whole-module
// optimisation (what a release build does), reading JSON lines like `overdue nlu classify`.
// Built and run by scripts/bench-nlu.sh --reader.
import Foundation
import OverdueCore

struct Line: Decodable { let id: String; let channel: String; let text: String }
let args = CommandLine.arguments
let path = args[1]
let reference = LocalDate.parse(args.count > 2 ? args[2] : "2026-03-10")!
let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
var intents: [String: Int] = [:]
let start = DispatchTime.now().uptimeNanoseconds
let decoder = JSONDecoder()
let inputs = try lines.map { try decoder.decode(Line.self, from: Data($0.utf8)) }
let decoded = DispatchTime.now().uptimeNanoseconds
// Five rounds over the same replies: a virtual machine's neighbours make single runs vary by a
// quarter, so the median and the best round are reported (with the JSON decoding time added to each).
var rounds: [Double] = []
for _ in 0..<5 {
    let from = DispatchTime.now().uptimeNanoseconds
    for input in inputs {
        let a = ReplyReader.read(input.text, channel: Channel(rawValue: input.channel)!, reference: reference)
        intents[a.intent.rawValue, default: 0] += 1
    }
    rounds.append(Double(DispatchTime.now().uptimeNanoseconds - from) / 1e9)
}
rounds.sort()
let n = Double(lines.count)
let decoding = Double(decoded - start) / 1e9
let median = rounds[2], best = rounds[0]
FileHandle.standardError.write(Data("""
    read \(lines.count) replies × 5 rounds: reader alone \(Int(n / median)) replies/s median, \(Int(n / best)) best \
    (\(String(format: "%.2f", median)) s per round); with Foundation's JSONDecoder per line \(Int(n / (median + decoding))) median, \
    \(Int(n / (best + decoding))) best — one core\n
    """.utf8))

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
for input in inputs {
    let a = ReplyReader.read(input.text, channel: Channel(rawValue: input.channel)!, reference: reference)
    intents[a.intent.rawValue, default: 0] += 1
}
let end = DispatchTime.now().uptimeNanoseconds
let n = Double(lines.count)
let reading = Double(end - decoded) / 1e9, total = Double(end - start) / 1e9
FileHandle.standardError.write(Data("""
    read \(lines.count) replies: \(Int(n / reading)) replies/s on one core for the reader alone (\(String(format: "%.2f", reading)) s), \
    \(Int(n / total)) replies/s with Foundation's JSONDecoder per line (\(String(format: "%.2f", total)) s)\n
    """.utf8))

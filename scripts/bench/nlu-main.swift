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
for l in lines {
    let input = try decoder.decode(Line.self, from: Data(l.utf8))
    let a = ReplyReader.read(input.text, channel: Channel(rawValue: input.channel)!, reference: reference)
    intents[a.intent.rawValue, default: 0] += 1
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let n = lines.count
FileHandle.standardError.write(Data("read \(n) replies in \(String(format: "%.2f", seconds)) s: \(Int(Double(n) / seconds)) replies/s on one core (JSON decoding included)\n".utf8))

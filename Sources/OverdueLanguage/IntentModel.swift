import Foundation
import OverdueCore

/// The trained reply model: multinomial logistic regression over `IntentFeatures`, one head for the
/// intent and one for the sentiment, with a temperature per head fitted on cross-validated
/// predictions so that the confidence is calibrated. Trained by `scripts/nlu/train.py` on the
/// training set (never the dev set); its weights ship inside the binary (`IntentModelWeights`).
///
/// The file format, little-endian: `OVDM`, version 1, hash bits, feature count K, intent classes I,
/// sentiment classes S; two label lists (length-prefixed UTF-8, comma-separated); the two
/// temperatures; I+S biases and I+S per-class scales (Float32); K sorted feature hashes (UInt32);
/// K×(I+S) weights as Int8 (weight = Int8 × the class's scale).
public struct IntentModel: Sendable {
    /// The model built into Overdue.
    public static let builtIn: IntentModel = {
        do {
            return try IntentModel(data: Data(base64Encoded: IntentModelWeights.base64, options: .ignoreUnknownCharacters) ?? Data())
        } catch {
            // The weights are generated and checked by the tests; a broken build must not start.
            fatalError("built-in intent model: \(error)")
        }
    }()

    /// Why a model file could not be read.
    public struct FormatError: Error, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The intents, in the order of the intent head's classes.
    public let intents: [Intent]
    /// The sentiments, in the order of the sentiment head's classes.
    public let sentiments: [Sentiment]
    let temperature: (intent: Float, sentiment: Float)
    let bias: [Float]
    /// Each feature's weights, dequantised, in rows of 16 lanes (padded with zeros).
    let weights: [SIMD16<Float>]
    let chunks: Int
    let width: Int
    // Open-addressing table from feature hash to its row in `weights`.
    let slots: [UInt32]
    let rows: [Int32]
    let slotMask: Int

    /// Reads a model file.
    public init(data: Data) throws {
        var at = 0
        let bytes = [UInt8](data)
        func u32() throws -> UInt32 {
            guard at + 4 <= bytes.count else { throw FormatError(description: "the model file ends early (at byte \(at))") }
            defer { at += 4 }
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func f32() throws -> Float { Float(bitPattern: try u32()) }
        func labels() throws -> [String] {
            let n = Int(try u32())
            guard at + n <= bytes.count else { throw FormatError(description: "the model file ends early (labels)") }
            defer { at += n }
            return String(decoding: bytes[at..<(at + n)], as: UTF8.self).split(separator: ",").map(String.init)
        }
        guard bytes.starts(with: Array("OVDM".utf8)) else { throw FormatError(description: "not an Overdue model file (no OVDM header)") }
        at = 4
        guard try u32() == 1 else { throw FormatError(description: "unknown model file version") }
        guard try u32() == IntentFeatures.bits else { throw FormatError(description: "the model was trained on features of another size") }
        let k = Int(try u32()), ni = Int(try u32()), ns = Int(try u32())
        let intentNames = try labels(), sentimentNames = try labels()
        let intents = intentNames.compactMap(Intent.init(rawValue:))
        let sentiments = sentimentNames.compactMap(Sentiment.init(rawValue:))
        guard intents.count == ni, intentNames.count == ni, sentiments.count == ns, sentimentNames.count == ns else {
            throw FormatError(description: "the model's labels are not Overdue's intents and sentiments: \(intentNames) \(sentimentNames)")
        }
        self.intents = intents
        self.sentiments = sentiments
        temperature = (try f32(), try f32())
        width = ni + ns
        bias = try (0..<width).map { _ in try f32() }
        let scale = try (0..<width).map { _ in try f32() }
        let keys = try (0..<k).map { _ in try u32() }
        guard at + k * width == bytes.count else {
            throw FormatError(description: "the model file has \(bytes.count - at) weight bytes, expected \(k * width)")
        }
        let chunks = (width + 15) / 16
        var rowsOfLanes = [SIMD16<Float>](repeating: .zero, count: k * chunks)
        for row in 0..<k {
            for c in 0..<width {
                rowsOfLanes[row * chunks + c / 16][c % 16] = Float(Int8(bitPattern: bytes[at + row * width + c])) * scale[c]
            }
        }
        weights = rowsOfLanes
        self.chunks = chunks
        var capacity = 16
        while capacity < k * 2 { capacity <<= 1 }
        var slots = [UInt32](repeating: .max, count: capacity)
        var rows = [Int32](repeating: -1, count: capacity)
        for (row, key) in keys.enumerated() {
            var s = IntentModel.slot(key, mask: capacity - 1)
            while slots[s] != .max { s = (s + 1) & (capacity - 1) }
            slots[s] = key
            rows[s] = Int32(row)
        }
        self.slots = slots
        self.rows = rows
        slotMask = capacity - 1
    }

    @inline(__always) static func slot(_ key: UInt32, mask: Int) -> Int { Int((key &* 2_654_435_761) >> 7) & mask }

    /// The probability of each intent (in `intents` order) and each sentiment (in `sentiments` order).
    func probabilities(_ f: IntentFeatures) -> (intent: [Double], sentiment: [Double]) {
        var acc = [SIMD16<Float>](repeating: .zero, count: chunks)
        let hashes = f.hashes, values = f.values, mask = slotMask, chunks = chunks
        slots.withUnsafeBufferPointer { slots in
            rows.withUnsafeBufferPointer { rows in
                weights.withUnsafeBufferPointer { w in
                    acc.withUnsafeMutableBufferPointer { a in
                        for i in hashes.indices {
                            let key = hashes[i]
                            var s = IntentModel.slot(key, mask: mask)
                            while slots[s] != .max && slots[s] != key { s = (s + 1) & mask }
                            guard slots[s] != .max else { continue }
                            let base = Int(rows[s]) * chunks
                            let v = SIMD16<Float>(repeating: values[i])
                            for c in 0..<chunks { a[c] += v * w[base + c] }
                        }
                    }
                }
            }
        }
        let ni = intents.count
        var logits = (0..<width).map { Double(acc[$0 / 16][$0 % 16] + bias[$0]) }
        for c in 0..<ni { logits[c] /= Double(temperature.intent) }
        for c in ni..<width { logits[c] /= Double(temperature.sentiment) }
        return (IntentModel.softmax(logits[0..<ni]), IntentModel.softmax(logits[ni..<width]))
    }

    static func softmax(_ z: ArraySlice<Double>) -> [Double] {
        let top = z.max() ?? 0
        let e = z.map { Foundation.exp($0 - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

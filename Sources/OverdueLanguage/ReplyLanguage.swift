import OverdueCore

/// The language a reply is written in. Overdue writes to debtors in English, Spanish and French, so
/// a reply is read as one of those; anything else (or too short to tell) reads as English.
public enum ReplyLanguage: String, CaseIterable, Codable, Sendable {
    /// English.
    case en
    /// Spanish.
    case es
    /// French.
    case fr

    /// The language of `text`: the one whose common function words it uses most (the word lists
    /// `LanguageGuess` checks drafts with), with letters only one language writes (ñ ¿ ¡ for
    /// Spanish; ç è ê à ù œ for French) as extra evidence. Ties and texts without evidence are
    /// English, the language most replies are in.
    public static func detect(_ text: String) -> ReplyLanguage {
        detect(NormalizedText(text), raw: text)
    }

    /// Each language's common words with their weight in tenths (a word several languages share counts for less).
    static let words: [(language: ReplyLanguage, phrase: String, weight: Int)] = LanguageGuess.words.flatMap { entry in
        ReplyLanguage(rawValue: entry.code).map { language in
            entry.words.sorted().map { (language: language, phrase: $0, weight: shared.contains($0) ? 3 : 10) }
        } ?? []
    }

    /// `words` indexed for matching (the value is the position in `words`).
    static let index = PhraseIndex(words.enumerated().map { (phrase: $0.element.phrase, value: $0.offset) })

    /// Words several of the languages share: they count for less.
    static let shared: Set<String> = ["la", "de", "en", "que", "un", "a", "le", "es"]

    static func detect(_ t: NormalizedText, raw: String) -> ReplyLanguage {
        var score: [ReplyLanguage: Int] = [.en: 0, .es: 0, .fr: 0]  // tenths: sums are exact
        // Each word or phrase counts once, however often it occurs.
        var seen = [Bool](repeating: false, count: words.count)
        for i in t.wordHashes.indices {
            index.matches(t.wordHashes, at: i) { n, _ in
                guard !seen[n] else { return }
                seen[n] = true
                score[words[n].language, default: 0] += words[n].weight
            }
        }
        for s in raw.unicodeScalars where s.value >= 0xA1 {
            switch s.value {
            case 0xF1, 0xD1, 0xBF, 0xA1: score[.es, default: 0] += 15  // ñ Ñ ¿ ¡
            case 0xE7, 0xC7, 0xE8, 0xEA, 0xE0, 0xF9, 0x153, 0xEE, 0xFB: score[.fr, default: 0] += 10  // ç è ê à ù œ î û
            case 0xED, 0xF3, 0xFA: score[.es, default: 0] += 5  // í ó ú
            default: break
            }
        }
        let en = score[.en]!, es = score[.es]!, fr = score[.fr]!
        if es > en && es >= fr { return .es }
        if fr > en && fr > es { return .fr }
        return .en
    }
}

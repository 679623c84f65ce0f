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

    /// Each language's common words, prepared for matching (a word several languages share counts
    /// for less).
    static let needles: [(ReplyLanguage, [(NormalizedText.Needle, Double)])] = LanguageGuess.words.compactMap { entry in
        ReplyLanguage(rawValue: entry.code).map { language in
            (language, entry.words.sorted().map { (NormalizedText.Needle($0), shared.contains($0) ? 0.3 : 1) })
        }
    }

    /// Words several of the languages share: they count for less.
    static let shared: Set<String> = ["la", "de", "en", "que", "un", "a", "le", "es"]

    static func detect(_ t: NormalizedText, raw: String) -> ReplyLanguage {
        var score: [ReplyLanguage: Double] = [.en: 0, .es: 0, .fr: 0]
        for (language, words) in needles {
            for (needle, weight) in words where t.has(needle) { score[language, default: 0] += weight }
        }
        for s in raw.unicodeScalars where s.value >= 0xA1 {
            switch s.value {
            case 0xF1, 0xD1, 0xBF, 0xA1: score[.es, default: 0] += 1.5  // ñ Ñ ¿ ¡
            case 0xE7, 0xC7, 0xE8, 0xEA, 0xE0, 0xF9, 0x153, 0xEE, 0xFB: score[.fr, default: 0] += 1  // ç è ê à ù œ î û
            case 0xED, 0xF3, 0xFA: score[.es, default: 0] += 0.5  // í ó ú
            default: break
            }
        }
        let en = score[.en]!, es = score[.es]!, fr = score[.fr]!
        if es > en && es >= fr { return .es }
        if fr > en && fr > es { return .fr }
        return .en
    }
}

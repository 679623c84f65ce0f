import Foundation

/// What a password must be: at least 12 characters (at most 128 — bcrypt reads only 72 bytes, and
/// longer input is a denial-of-service lever), not a common password or a thin disguise of one
/// (`Password1234!`, `p@ssw0rd2024`, `qwertyuiop12`), not a run or repetition, and not the user's
/// own email or name.
public enum PasswordPolicy {
    /// The shortest password accepted.
    public static let minimumLength = 12
    /// The longest.
    public static let maximumLength = 128

    /// Everything wrong with `password` (empty when it is acceptable).
    public static func problems(_ password: String, email: String? = nil, name: String? = nil) -> [String] {
        var out: [String] = []
        if password.count < minimumLength { out.append("must be at least \(minimumLength) characters (got \(password.count))") }
        if password.count > maximumLength { out.append("must be at most \(maximumLength) characters") }
        if password.utf8.count > 72 && password.count <= maximumLength {
            // bcrypt ignores bytes past 72; say so rather than silently weaken a passphrase.
            out.append("must be at most 72 bytes (bcrypt ignores the rest)")
        }
        guard password.count >= minimumLength else { return out }
        let core = skeleton(password)
        if isCommon(password) {
            out.append("is a commonly used password; choose something others would not guess (a few unrelated words work well)")
        } else if Set(password).count <= 3 || isRun(password.lowercased()) {
            out.append("is a repetition or a keyboard/number run")
        }
        for personal in [email?.split(separator: "@").first.map(String.init), name].compactMap({ $0?.lowercased() }) where personal.count >= 4 {
            let parts = personal.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 4 }
            if core.contains(skeleton(personal)) || parts.contains(where: { core == skeleton($0) }) {
                out.append("must not be based on your email or name")
                break
            }
        }
        return out
    }

    /// Whether the password is on the list, or is a listed word dressed up with capitals,
    /// look-alike digits and symbols, or digits and symbols around it.
    static func isCommon(_ password: String) -> Bool {
        let lower = password.lowercased()
        if common.contains(lower) { return true }
        let core = skeleton(password)
        return common.contains(core) || bases.contains(core) || bases.contains { core.count <= $0.count + 4 && core.hasPrefix($0) && $0.count >= 6 }
    }

    /// Lower case, look-alikes undone (`@`→a, `0`→o, `1`→i, `3`→e, `4`→a, `5`→s, `$`→s, `7`→t, `!`→i),
    /// then digits and symbols stripped from both ends.
    static func skeleton(_ password: String) -> String {
        let lower = password.lowercased()
        var trimmed = Substring(lower)
        while let c = trimmed.last, !c.isLetter { trimmed = trimmed.dropLast() }
        while let c = trimmed.first, !c.isLetter { trimmed = trimmed.dropFirst() }
        let map: [Character: Character] = ["@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "5": "s", "$": "s", "7": "t"]
        return String(
            trimmed.compactMap { c -> Character? in
                if let m = map[c] { return m }
                return c.isLetter ? c : nil
            })
    }

    /// `abcdefghijkl`, `123456789012`, `qwertyuiopas`, `zyxwvu…`: each step the next key or letter.
    static func isRun(_ s: String) -> Bool {
        let rows = [
            "abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
        ]
        for row in rows {
            let r = row + row
            if r.contains(s) || String(r.reversed()).contains(s) { return true }
        }
        return false
    }

    /// Words and phrases that underlie most leaked passwords of 12 or more characters.
    static let bases: Set<String> = [
        "password", "passw", "passwort", "letmein", "welcome", "iloveyou", "admin", "administrator", "qwerty", "monkey", "dragon",
        "football", "baseball", "basketball", "soccer", "sunshine", "princess", "trustno", "shadow", "master", "superman", "batman",
        "starwars", "pokemon", "whatever", "freedom", "michael", "jennifer", "jordan", "charlie", "hunter", "summer", "winter",
        "spring", "autumn", "secret", "changeme", "default", "login", "access", "computer", "internet", "overdue", "freight",
        "logistics", "trucking", "carrier", "broker", "invoice", "company", "changeit", "welcomehome", "iloveyoubaby",
        "qwertyuiop", "asdfghjkl", "zxcvbnm", "passwordpassword", "mypassword", "newpassword", "password123", "abcabc",
        "helloworld", "hello", "loveme", "lovely", "ashley", "nicole", "daniel", "babygirl", "chocolate", "butterfly",
        "liverpool", "chelsea", "arsenal", "manchester", "samsung", "google", "microsoft", "apple", "facebook", "linkedin",
        "letmeinnow", "thomas", "robert", "matthew", "jessica", "anthony", "elizabeth", "christopher", "alexander",
        "december", "november", "october", "september", "january", "february", "america", "canada", "mexico",
    ]

    /// Whole passwords of 12+ characters from public lists of the most used ones.
    static let common: Set<String> = [
        "123456789012", "1234567890123", "12345678901234", "111111111111", "000000000000", "123123123123", "123412341234",
        "qwertyuiop12", "qwertyuiop123", "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5y6", "password1234",
        "password12345", "password123456", "passw0rd1234", "p@ssw0rd1234", "iloveyou1234", "iloveyou12345", "letmein12345",
        "welcome12345", "welcome123456", "admin1234567", "administrator", "abc123456789", "abcdef123456", "aaaaaaaaaaaa",
        "asdfghjkl123", "asdfasdfasdf", "qweasdzxc123", "zaq12wsxcde3", "1234qwerasdf", "qwerasdfzxcv", "987654321098",
        "changemenow!", "trustno1trustno1", "baseball1234", "football1234", "superman1234", "princess1234", "sunshine1234",
        "computer1234", "internet1234", "starwars1234", "michael12345", "jennifer1234", "whatever1234", "dragon123456",
        "monkey123456", "letmeinletmein", "iloveyouiloveyou", "passwordpassword", "qwertyqwerty", "asdfghjklasdfghjkl",
    ]
}

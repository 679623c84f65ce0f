import Foundation

/// Carriers limit how fast one number may send (one text a second for a US long code; more for
/// toll-free numbers and short codes): each send takes a place in its sender's next second that
/// has room.
public enum SendRate {
    /// The second a send wanted at `at` goes out, and how many sends that second then holds,
    /// given the sender's latest second in use and its count.
    public static func slot(latest: (second: Date, used: Int)?, at: Date, perSecond: Int) -> (second: Date, used: Int) {
        let wanted = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        guard let latest, latest.second >= wanted else { return (wanted, 1) }
        if latest.used < max(1, perSecond) { return (latest.second, latest.used + 1) }
        return (latest.second.addingTimeInterval(1), 1)
    }
}

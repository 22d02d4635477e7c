public import Cedar
public import Foundation
import Synchronization

/// `context.time`: the moment of the decision, as the hour, minute and weekday (0 = Monday … 6 =
/// Sunday) in the configured time zone, the instant (to the second) as a `datetime`, and the zone's name.
///
/// Calendar arithmetic costs more than a whole Cedar evaluation, so a source remembers the value of
/// the current second: every decision within one second shares it.
public final class TimeContext: Sendable {
    public let timeZone: TimeZone
    private let cached = Mutex<(second: Int64, value: Value)?>(nil)

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The context value for `date`.
    public func value(at date: Date) -> Value {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let hit = cached.withLock({ $0 }), hit.second == second { return hit.value }
        let value = Self.value(second: second, in: timeZone)
        cached.withLock { $0 = (second, value) }
        return value
    }

    /// The context value for the second `second` (since the epoch) in `zone`, computed afresh.
    public static func value(second: Int64, in zone: TimeZone) -> Value {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: TimeInterval(second))
        let parts = calendar.dateComponents([.hour, .minute, .weekday], from: date)
        // Foundation counts weekdays 1 = Sunday … 7 = Saturday.
        let weekday = ((parts.weekday ?? 1) + 5) % 7
        return .record([
            "hour": .long(Int64(parts.hour ?? 0)),
            "minute": .long(Int64(parts.minute ?? 0)),
            "weekday": .long(Int64(weekday)),
            "date": .datetime(CedarDatetime(millisecondsSinceEpoch: second * 1000)),
            "zone": .string(zone.identifier),
        ])
    }
}

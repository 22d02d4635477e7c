public import Cedar
public import Foundation

/// `context.time`: the moment of the decision, as the hour, minute and weekday (0 = Monday … 6 =
/// Sunday) in the configured time zone, the instant as a `datetime`, and the zone's name.
public enum TimeContext {
    public static func value(at date: Date, in zone: TimeZone) -> Value {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute, .weekday], from: date)
        // Foundation counts weekdays 1 = Sunday … 7 = Saturday.
        let weekday = ((parts.weekday ?? 1) + 5) % 7
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return .record([
            "hour": .long(Int64(parts.hour ?? 0)),
            "minute": .long(Int64(parts.minute ?? 0)),
            "weekday": .long(Int64(weekday)),
            "date": .datetime(CedarDatetime(millisecondsSinceEpoch: milliseconds)),
            "zone": .string(zone.identifier),
        ])
    }
}

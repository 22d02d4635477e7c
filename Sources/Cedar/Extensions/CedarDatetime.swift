/// Cedar's `datetime`: milliseconds since the Unix epoch, UTC.
public struct CedarDatetime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    /// Parses `YYYY-MM-DD`, optionally followed by `Thh:mm:ss`, optional `.SSS`, then `Z` or `(+|-)hhmm`.
    public init?(parsing text: String) {
        let s = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= s.count else { return nil }
            var value = 0
            for byte in s[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard s.count >= 10, let year = number(0, 4), s[4] == UInt8(ascii: "-"), let month = number(5, 2),
            s[7] == UInt8(ascii: "-"), let day = number(8, 2),
            (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        var millis = Self.daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if s.count > 10 {
            guard s.count >= 20, s[10] == UInt8(ascii: "T"), let hour = number(11, 2), s[13] == UInt8(ascii: ":"),
                let minute = number(14, 2), s[16] == UInt8(ascii: ":"), let second = number(17, 2),
                hour < 24, minute < 60, second < 60
            else { return nil }
            millis += Int64((hour * 3600 + minute * 60 + second) * 1000)
            var position = 19
            if s[position] == UInt8(ascii: ".") {
                guard let fraction = number(position + 1, 3) else { return nil }
                millis += Int64(fraction)
                position += 4
            }
            guard position < s.count else { return nil }
            switch s[position] {
            case UInt8(ascii: "Z"):
                guard position + 1 == s.count else { return nil }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard position + 5 == s.count, let offsetHours = number(position + 1, 2),
                    let offsetMinutes = number(position + 3, 2), offsetHours < 24, offsetMinutes < 60
                else { return nil }
                let offset = Int64((offsetHours * 60 + offsetMinutes) * 60_000)
                // Local time minus its offset is UTC.
                millis += s[position] == UInt8(ascii: "+") ? -offset : offset
            default:
                return nil
            }
        }
        millisecondsSinceEpoch = millis
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Midnight (UTC) of this datetime's day.
    public var date: CedarDatetime? {
        let day = CedarDuration.millisecondsPerDay
        let floored = millisecondsSinceEpoch >= 0 || millisecondsSinceEpoch % day == 0
            ? (millisecondsSinceEpoch / day) : (millisecondsSinceEpoch / day - 1)
        let (value, overflow) = floored.multipliedReportingOverflow(by: day)
        return overflow ? nil : CedarDatetime(millisecondsSinceEpoch: value)
    }

    /// Time elapsed since this datetime's midnight (UTC).
    public var time: CedarDuration {
        let remainder = millisecondsSinceEpoch % CedarDuration.millisecondsPerDay
        return CedarDuration(milliseconds: remainder < 0 ? remainder + CedarDuration.millisecondsPerDay : remainder)
    }

    public static func < (lhs: CedarDatetime, rhs: CedarDatetime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public var description: String {
        let millis = millisecondsSinceEpoch
        let dayMillis = CedarDuration.millisecondsPerDay
        var days = millis / dayMillis
        var rest = millis % dayMillis
        if rest < 0 {
            days -= 1
            rest += dayMillis
        }
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ n: Int64, _ width: Int) -> String {
            let digits = String(n.magnitude)
            return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time = "\(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))"
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(time)Z"
    }
}

import Cedar
import Foundation

/// Times in audit records: microseconds since the Unix epoch, written as RFC 3339 UTC with exactly
/// six fractional digits (`2026-11-27T13:45:31.123456Z`), so that a time has one spelling only.
public enum AuditTime {
    /// The system clock, in microseconds since the epoch.
    @Sendable public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static func format(microseconds: Int64) -> String {
        let seconds = microseconds.floorDivided(by: 1_000_000)
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CedarDatetime.civil(fromDays: days)
        func pad(_ n: Int64, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// Reads exactly the form ``format(microseconds:)`` writes (years 0000–9999): an RFC 3339 time
    /// whose spelling is the canonical one.
    public static func parse(_ text: String) -> Int64? {
        guard let time = parseRFC3339(text), format(microseconds: time).utf8.elementsEqual(text.utf8) else { return nil }
        return time
    }
}

extension AuditTime {
    /// Reads any RFC 3339 `date-time` (`T`, `t` or a space between date and time; any number of
    /// fractional digits, kept to microseconds; `Z`, `z` or a `±hh:mm` offset; a leap second counts
    /// as the first second of the next minute).
    public static func parseRFC3339(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var n: Int64 = 0
            for i in range {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int64(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"), let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
            let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19),
            (1...12).contains(month), day >= 1, day <= CedarDatetime.daysIn(month: Int(month), year: Int(year)),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var position = 19
        var fraction: Int64 = 0
        if position < b.count, b[position] == UInt8(ascii: ".") {
            position += 1
            let start = position
            while position < b.count, b[position] >= UInt8(ascii: "0"), b[position] <= UInt8(ascii: "9") { position += 1 }
            guard position > start, position - start <= 18 else { return nil }
            let kept = min(position - start, 6)
            guard let value = digits(start..<start + kept) else { return nil }
            fraction = value * Int64([1, 100_000, 10_000, 1000, 100, 10, 1][kept])
        }
        var offsetSeconds: Int64 = 0
        guard position < b.count else { return nil }
        switch b[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == b.count, b[position + 3] == UInt8(ascii: ":"), let hours = digits(position + 1..<position + 3),
                let minutes = digits(position + 4..<position + 6), hours < 24, minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (b[position] == UInt8(ascii: "-") ? -1 : 1)
            position += 6
        default:
            return nil
        }
        guard position == b.count else { return nil }
        let days = CedarDatetime.daysFromCivil(year: Int(year), month: Int(month), day: Int(day))
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + fraction
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

/// Cedar's `duration`: a signed number of milliseconds, written like `-1d2h3m4s5ms`.
public struct CedarDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    static let millisecondsPerDay: Int64 = 86_400_000

    /// Parses a duration string: units `d`, `h`, `m`, `s`, `ms` in that order, each at most once,
    /// at least one present, optionally preceded by `-`. Nil when malformed or out of range.
    public init?(parsing text: String) {
        var scalars = Array(text.unicodeScalars)
        let negative = scalars.first == "-"
        if negative { scalars.removeFirst() }
        guard !scalars.isEmpty else { return nil }
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        var position = 0
        var nextUnit = 0
        var total: Int64 = 0
        while position < scalars.count {
            let digitStart = position
            var quantity: Int64 = 0
            while position < scalars.count, scalars[position] >= "0", scalars[position] <= "9" {
                let (times10, o1) = quantity.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(scalars[position].value - 48))
                guard !o1, !o2 else { return nil }
                quantity = next
                position += 1
            }
            guard position > digitStart, position < scalars.count else { return nil }
            var unit = String(scalars[position])
            position += 1
            if unit == "m", position < scalars.count, scalars[position] == "s" {
                unit = "ms"
                position += 1
            }
            guard let index = units[nextUnit...].firstIndex(where: { $0.0 == unit }) else { return nil }
            nextUnit = index + 1
            let (amount, o1) = quantity.multipliedReportingOverflow(by: units[index].1)
            let (sum, o2) = total.addingReportingOverflow(amount)
            guard !o1, !o2 else { return nil }
            total = sum
        }
        if negative {
            let (negated, overflow) = Int64(0).subtractingReportingOverflow(total)
            guard !overflow else { return nil }
            total = negated
        }
        milliseconds = total
    }

    public static func < (lhs: CedarDuration, rhs: CedarDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String {
        if milliseconds == 0 { return "0ms" }
        var rest = milliseconds.magnitude
        var text = milliseconds < 0 ? "-" : ""
        for (suffix, size) in [("d", UInt64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)]
        where rest >= size {
            text += "\(rest / size)\(suffix)"
            rest %= size
        }
        return text
    }
}

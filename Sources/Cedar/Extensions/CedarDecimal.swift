/// Cedar's `decimal`: a fixed-point number with four digits after the point,
/// from -922337203685477.5808 to 922337203685477.5807.
public struct CedarDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The value times 10,000.
    public let scaled: Int64

    static let fractionDigits = 4

    public init(scaled: Int64) { self.scaled = scaled }

    /// Parses `-?[0-9]+\.[0-9]{1,4}`; nil when malformed or out of range.
    public init?(parsing text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        let negative = scalars.first == "-"
        if negative { scalars = scalars.dropFirst() }
        guard let dot = scalars.firstIndex(of: ".") else { return nil }
        let whole = scalars[..<dot]
        let fraction = scalars[scalars.index(after: dot)...]
        guard !whole.isEmpty, !fraction.isEmpty, fraction.count <= Self.fractionDigits,
            whole.allSatisfy(Self.isDigit), fraction.allSatisfy(Self.isDigit)
        else { return nil }
        var value: Int64 = 0
        // Accumulate negatively so that the most negative value is representable.
        for digit in whole.map({ Int64($0.value - 48) }) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        var digits = fraction.map { Int64($0.value - 48) }
        while digits.count < Self.fractionDigits { digits.append(0) }
        for digit in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.subtractingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = next
        }
        if negative {
            scaled = value
        } else {
            guard value != Int64.min else { return nil }
            scaled = -value
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    public static func < (lhs: CedarDecimal, rhs: CedarDecimal) -> Bool { lhs.scaled < rhs.scaled }

    public var description: String {
        let magnitude = scaled.magnitude
        let whole = magnitude / 10_000
        var fraction = String(magnitude % 10_000)
        while fraction.count < Self.fractionDigits { fraction = "0" + fraction }
        return (scaled < 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}

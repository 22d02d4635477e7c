/// A text as an array of Unicode scalars, so that detectors index it in O(1) and report offsets in
/// scalars. Input longer than ``maximumScalars`` is cut there (the cut is reported by the scanner).
public struct ScalarText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// Whether the input was longer than the bound.
    public let truncated: Bool
    public static let maximumScalars = 4 * 1024 * 1024

    public init(_ text: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(min(text.utf8.count, Self.maximumScalars))
        var truncated = false
        for scalar in text.unicodeScalars {
            guard scalars.count < Self.maximumScalars else {
                truncated = true
                break
            }
            scalars.append(scalar)
        }
        self.scalars = scalars
        self.truncated = truncated
    }

    public var count: Int { scalars.count }

    @inline(__always) public subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    @inline(__always) public func isDigit(_ index: Int) -> Bool {
        index >= 0 && index < scalars.count && (0x30...0x39).contains(scalars[index].value)
    }

    @inline(__always) public func isASCIILetter(_ index: Int) -> Bool {
        guard index >= 0, index < scalars.count else { return false }
        let v = scalars[index].value
        return (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
    }

    @inline(__always) public func isASCIIUppercase(_ index: Int) -> Bool {
        index >= 0 && index < scalars.count && (0x41...0x5A).contains(scalars[index].value)
    }

    /// An upper-case letter of any script (ASCII checked without the Unicode tables).
    @inline(__always) public func isUppercase(_ index: Int) -> Bool {
        guard index >= 0, index < scalars.count else { return false }
        let v = scalars[index].value
        return v < 0x80 ? (0x41...0x5A).contains(v) : scalars[index].properties.isUppercase
    }

    /// A letter of any script.
    @inline(__always) public func isLetter(_ index: Int) -> Bool { isAlphanumeric(index) && !isDigit(index) }

    @inline(__always) public func isAlphanumeric(_ index: Int) -> Bool {
        guard index >= 0, index < scalars.count else { return false }
        let v = scalars[index].value
        if v < 0x80 { return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) }
        return scalars[index].properties.isAlphabetic
    }

    @inline(__always) public func digitValue(_ index: Int) -> Int { Int(scalars[index].value) - 0x30 }

    public func string(_ range: Range<Int>) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[range])
        return String(out)
    }

    /// True when one of `words` (lowercase ASCII) appears within `distance` scalars before `start` or
    /// after `end` (case-insensitive, as a whole word).
    public func hasContext(_ words: [String], around range: Range<Int>, distance: Int = 40) -> Bool {
        let lower = max(0, range.lowerBound - distance)
        let upper = min(count, range.upperBound + distance)
        var word: [UInt8] = []
        func matches() -> Bool { !word.isEmpty && words.contains { $0.utf8.elementsEqual(word) } }
        for index in lower..<upper {
            let v = scalars[index].value
            if (0x41...0x5A).contains(v) {
                word.append(UInt8(v + 0x20))
            } else if (0x61...0x7A).contains(v) {
                word.append(UInt8(v))
            } else {
                if matches() { return true }
                word.removeAll(keepingCapacity: true)
            }
        }
        return matches()
    }
}

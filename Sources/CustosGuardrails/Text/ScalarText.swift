/// A text as an array of Unicode scalars, so that detectors index it in O(1) and report offsets in
/// scalars. Input longer than ``maximumScalars`` is cut there (the cut is reported by the scanner).
public struct ScalarText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// Whether the input was longer than the bound.
    public let truncated: Bool
    public static let maximumScalars = 4 * 1024 * 1024

    /// Scalars already decoded (a stream's window), cut at the bound like a string.
    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars.count > Self.maximumScalars ? Array(scalars.prefix(Self.maximumScalars)) : scalars
        self.truncated = scalars.count > Self.maximumScalars
    }

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

    public func string(_ range: Range<Int>) -> String { String(scalars: scalars[range]) }

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

extension String {
    /// A string of `scalars`, encoded through a byte buffer (appending scalars to a string one by one is
    /// several times slower).
    init(scalars: some Collection<Unicode.Scalar>) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        scalars.encodeUTF8(into: &bytes)
        self.init(decoding: bytes, as: UTF8.self)
    }
}

extension Collection<Unicode.Scalar> {
    /// Appends the UTF-8 of the scalars.
    func encodeUTF8(into bytes: inout [UInt8]) {
        for scalar in self {
            if scalar.value < 0x80 {
                bytes.append(UInt8(scalar.value))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
    }
}

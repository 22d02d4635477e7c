/// A text as an array of Unicode scalars, so that detectors index it in O(1) and report offsets in
/// scalars, with each scalar's ``ScalarKind`` beside it and the positions where a finding can start
/// (``anchors``). Input longer than ``maximumScalars`` is cut there (the cut is reported by the
/// scanner).
public struct ScalarText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// The kind of each scalar.
    let kinds: [ScalarKind]
    /// In order, every position where an ASCII letter or digit follows anything else (a word's or a
    /// number's start), where an `A` stands (key prefixes such as `AKIA` may follow other characters),
    /// and where one of ``markScalars`` stands. Every detector's finding starts at one of these, so a
    /// detector visits these instead of every scalar.
    let anchors: [Int]
    /// The words of ASCII letters that do not continue another word (no letter or digit of any
    /// script right before them), in order, with their ``WordKeys`` keys: found once for the
    /// detectors that look for context words.
    let words: [Word]
    /// Whether the input was longer than the bound.
    public let truncated: Bool
    public static let maximumScalars = 4 * 1024 * 1024

    /// The punctuation findings can start at or are found from: `@` (e-mail), `:` (`scheme://`, IPv6,
    /// `Classification:`), `+` and `(` (phone numbers), `-` (`-----BEGIN`), `/` and `=` (base64 runs),
    /// and the line feed (markings are per line).
    static let markScalars: Set<Unicode.Scalar> = ["@", ":", "+", "(", "-", "/", "=", "\n"]

    /// Which ASCII scalars are anchors wherever they stand: the marks and `A`.
    private static let isMark: [Bool] = (0..<128).map { value in
        markScalars.contains(Unicode.Scalar(UInt8(value))) || value == UInt8(ascii: "A")
    }

    /// Scalars already decoded (a stream's window), cut at the bound like a string.
    init(scalars: [Unicode.Scalar]) {
        self.init(scalars.count > Self.maximumScalars ? Array(scalars.prefix(Self.maximumScalars)) : scalars,
            truncated: scalars.count > Self.maximumScalars)
    }

    public init(_ text: String) {
        // Decoded from the string's UTF-8 (always valid in a `String`) in one loop: iterating
        // `unicodeScalars` costs several times more.
        let bytes = Array(text.utf8)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(min(bytes.count, Self.maximumScalars))
        var index = 0
        while index < bytes.count, scalars.count < Self.maximumScalars {
            let lead = UInt32(bytes[index])
            var value: UInt32
            var length: Int
            switch lead {
            case ..<0x80: (value, length) = (lead, 1)
            case ..<0xE0: (value, length) = (lead & 0x1F, 2)
            case ..<0xF0: (value, length) = (lead & 0x0F, 3)
            default: (value, length) = (lead & 0x07, 4)
            }
            for continuation in bytes[(index + 1)..<min(index + length, bytes.count)] { value = value << 6 | UInt32(continuation & 0x3F) }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            index += length
        }
        self.init(scalars, truncated: index < bytes.count)
    }

    /// Looks up the kinds and finds the anchors: one pass.
    private init(_ scalars: [Unicode.Scalar], truncated: Bool) {
        let (ascii, isMark) = (ScalarKind.ascii, Self.isMark)
        var kinds = [ScalarKind](repeating: [], count: scalars.count)
        var anchors: [Int] = []
        anchors.reserveCapacity(scalars.count / 4)
        var previous: ScalarKind = []
        for index in scalars.indices {
            let value = scalars[index].value
            let kind: ScalarKind
            if value < 0x80 {
                kind = ascii[Int(value)]
                if isMark[Int(value)] || (kind.isAny(.asciiAlphanumeric) && !previous.isAny(.asciiAlphanumeric)) {
                    anchors.append(index)
                }
            } else {
                kind = ScalarKind(scalars[index])
            }
            kinds[index] = kind
            previous = kind
        }
        self.scalars = scalars
        self.kinds = kinds
        self.anchors = anchors
        self.truncated = truncated
        self.words = anchors.compactMap { start in
            guard kinds[start].isAny(.asciiLetter), start == 0 || !kinds[start - 1].isAny(.alphanumeric) else { return nil }
            let (key, end) = WordKeys.word(scalars, kinds, from: start, upTo: scalars.count)
            return Word(start: start, end: end, key: key)
        }
    }

    public var count: Int { scalars.count }

    @inline(__always) public subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    /// The kind of the scalar at `index`; none outside the text.
    @inline(__always) func kind(_ index: Int) -> ScalarKind {
        index >= 0 && index < kinds.count ? kinds[index] : []
    }

    /// Whether the scalar at `index` (inside the text) has any of `kinds`.
    @inline(__always) func isAny(_ index: Int, _ kinds: ScalarKind) -> Bool { kind(index).isAny(kinds) }

    @inline(__always) public func isDigit(_ index: Int) -> Bool { isAny(index, .digit) }

    @inline(__always) public func isASCIILetter(_ index: Int) -> Bool { isAny(index, .asciiLetter) }

    @inline(__always) public func isASCIIUppercase(_ index: Int) -> Bool { isAny(index, .upper) }

    /// An upper-case letter of any script.
    @inline(__always) public func isUppercase(_ index: Int) -> Bool { isAny(index, [.upper, .otherUpper]) }

    /// A letter of any script.
    @inline(__always) public func isLetter(_ index: Int) -> Bool { isAny(index, [.upper, .lower, .otherLetter]) }

    @inline(__always) public func isAlphanumeric(_ index: Int) -> Bool { isAny(index, .alphanumeric) }

    @inline(__always) public func digitValue(_ index: Int) -> Int { Int(scalars[index].value) - 0x30 }

    public func string(_ range: Range<Int>) -> String { String(scalars: scalars[range]) }

    /// True when one of `words` appears within `distance` scalars before `start` or after `end`
    /// (case-insensitive, as a whole run of ASCII letters; a run cut by the window's edge counts as
    /// the part inside it). No allocation: words are compared by their ``WordKeys`` key.
    func hasContext(_ words: WordKeys, around range: Range<Int>, distance: Int = 40) -> Bool {
        let lower = max(0, range.lowerBound - distance)
        let upper = min(count, range.upperBound + distance)
        var index = lower
        while index < upper {
            guard isASCIILetter(index) else {
                index += 1
                continue
            }
            let (key, end) = WordKeys.word(self, from: index, upTo: upper)
            if words.contains(key) { return true }
            index = end
        }
        return false
    }
}

/// A word of a ``ScalarText``: where it is and its ``WordKeys`` key (0 when longer than
/// ``WordKeys/longestWord``).
struct Word: Sendable {
    let start: Int
    let end: Int
    let key: UInt64
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

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
    /// What detectors ask of the whole text before they look at it.
    let census: Census
    /// Whether the input was longer than the bound.
    public let truncated: Bool
    public static let maximumScalars = 4 * 1024 * 1024

    /// The punctuation findings can start at or are found from: `@` (e-mail), `:` (`scheme://`, IPv6,
    /// `Classification:`), `+` and `(` (phone numbers), `-` (`-----BEGIN`), `/` and `=` (base64 runs),
    /// and the line feed (markings are per line).
    static let markScalars: Set<Unicode.Scalar> = ["@", ":", "+", "(", "-", "/", "=", "\n"]

    /// 1 for the ASCII scalars that are anchors wherever they stand (the marks and `A`), else 0. Kept
    /// for the process, like ``ScalarKind/common``.
    nonisolated(unsafe) private static let alwaysAnchor: UnsafeBufferPointer<Int> = {
        let table = UnsafeMutableBufferPointer<Int>.allocate(capacity: 128)
        for value in 0..<128 {
            table[value] = markScalars.contains(Unicode.Scalar(UInt8(value))) || value == UInt8(ascii: "A") ? 1 : 0
        }
        return UnsafeBufferPointer(table)
    }()

    /// Scalars already decoded (a stream's window), cut at the bound like a string.
    init(scalars: [Unicode.Scalar]) {
        var source = scalars.makeIterator()
        self.init(capacity: scalars.count, reading: &source)
    }

    public init(_ text: String) {
        // Decoded from the string's own UTF-8 as it is read: iterating `unicodeScalars` costs several
        // times more.
        var text = text
        self = text.withUTF8 { bytes in
            var source = DecodedUTF8(bytes: bytes)
            return ScalarText(capacity: bytes.count, reading: &source)
        }
    }

    /// Reads the scalars once: each one's kind, the anchors, the words and the census. `capacity` is at
    /// least the number of scalars (up to the bound).
    private init(capacity: Int, reading source: inout some IteratorProtocol<Unicode.Scalar>) {
        let (common, commonLimit, alwaysAnchor) = (ScalarKind.common, ScalarKind.commonLimit, Self.alwaysAnchor)
        let runKinds: ScalarKind = [.digit, .upper, .lower, .base64Symbol, .urlSymbol]
        let capacity = min(capacity, Self.maximumScalars)
        var scalars = [Unicode.Scalar](repeating: "\0", count: capacity)
        var kinds = [ScalarKind](repeating: [], count: capacity)
        // Every position is written and the count moves only for anchors: no branch to mispredict.
        // 32-bit while reading (the bound fits), so a maximal text's buffer is half as large.
        var anchors = [Int32](repeating: 0, count: capacity + 1)
        var words: [Word] = []
        words.reserveCapacity(min(capacity / 6, 4096))
        var census = Census()
        var (count, anchorCount) = (0, 0)
        var truncated = false
        scalars.withUnsafeMutableBufferPointer { scalarBuffer in
            kinds.withUnsafeMutableBufferPointer { kindBuffer in
                anchors.withUnsafeMutableBufferPointer { anchorBuffer in
                    var previous: ScalarKind = []
                    // The word being read (its start, length and key) and the run of `runKinds`.
                    var (wordStart, wordLength, key) = (-1, 0, UInt64(0))
                    var runStart = 0
                    while let scalar = source.next() {
                        guard count < capacity else {
                            truncated = true
                            break
                        }
                        let value = scalar.value
                        let kind = value < commonLimit ? common[Int(value)] : ScalarKind(scalar)
                        let alphanumeric = kind.isAny(.asciiAlphanumeric) ? 1 : 0
                        let anchor =
                            value < 0x80 ? alwaysAnchor[Int(value)] | (alphanumeric & ~(previous.isAny(.asciiAlphanumeric) ? 1 : 0)) : 0
                        anchorBuffer[anchorCount] = Int32(truncatingIfNeeded: count)
                        anchorCount += anchor
                        scalarBuffer[count] = scalar
                        kindBuffer[count] = kind
                        census.digits += Int(kind.rawValue & ScalarKind.digit.rawValue)
                        census.colons += value == 0x3A ? 1 : 0
                        if kind.isAny(.asciiLetter) {
                            if wordStart >= 0 {
                                wordLength += 1
                                if wordLength <= WordKeys.longestWord { key = WordKeys.extend(key, with: value) }
                            } else if !previous.isAny(.alphanumeric) {
                                (wordStart, wordLength, key) = (count, 1, WordKeys.extend(0, with: value))
                            }
                        } else if wordStart >= 0 {
                            words.append(Word(start: wordStart, end: count, key: wordLength <= WordKeys.longestWord ? key : 0))
                            wordStart = -1
                        }
                        if !kind.isAny(runKinds) {
                            if count - runStart >= SecretDetectors.shortestRun { census.runs.append(runStart..<count) }
                            runStart = count + 1
                        }
                        previous = kind
                        count += 1
                    }
                    if wordStart >= 0 {
                        words.append(Word(start: wordStart, end: count, key: wordLength <= WordKeys.longestWord ? key : 0))
                    }
                    if count - runStart >= SecretDetectors.shortestRun { census.runs.append(runStart..<count) }
                }
            }
        }
        scalars.removeLast(capacity - count)
        kinds.removeLast(capacity - count)
        self.scalars = scalars
        self.kinds = kinds
        // Copied out, so the buffer sized for every position is not kept while the text is scanned.
        self.anchors = anchors[..<anchorCount].map(Int.init)
        self.words = words
        self.census = census
        self.truncated = truncated
    }

    public var count: Int { scalars.count }

    /// The anchors inside `range`, found by bisection.
    func anchors(in range: Range<Int>) -> ArraySlice<Int> {
        let first = anchors.firstIndex(bisecting: { $0 >= range.lowerBound })
        return anchors[first..<anchors.firstIndex(bisecting: { $0 >= range.upperBound })]
    }

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

/// The scalars of valid UTF-8 (a `String`'s), decoded as they are read.
struct DecodedUTF8: IteratorProtocol {
    let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) mutating func next() -> Unicode.Scalar? {
        guard index < bytes.count else { return nil }
        let lead = UInt32(bytes[index])
        guard lead >= 0x80 else {
            index += 1
            return Unicode.Scalar(UInt8(lead))
        }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = lead & (0x7F >> UInt32(length))
        for continuation in bytes[(index + 1)..<Swift.min(index + length, bytes.count)] { value = value << 6 | UInt32(continuation & 0x3F) }
        index += length
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}

/// Counts a ``ScalarText`` keeps of the whole text, so that a detector whose findings need more (more
/// digits, a longer run of key characters) skips the text or most of it.
struct Census: Sendable {
    /// The ASCII digits.
    var digits = 0
    /// The colons (`:`).
    var colons = 0
    /// The maximal runs of ASCII letters, digits and base64 or base64url symbols that are at least
    /// ``SecretDetectors/shortestRun`` long, in order: every generic secret lies within one.
    var runs: [Range<Int>] = []
}

extension Array {
    /// The first index whose element satisfies `isAfter`, by bisection, in an array where every element
    /// that satisfies it comes after every element that does not; `count` when none does.
    func firstIndex(bisecting isAfter: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// Walks a text's words alongside its anchors, for detectors that skip what starts with a word.
struct WordCursor {
    private let words: [Word]
    private var next = 0

    init(_ text: ScalarText) { words = text.words }

    /// The word that starts at `index`, if one does. Positions must not decrease from call to call.
    mutating func word(startingAt index: Int) -> Word? {
        while next < words.count, words[next].start < index { next += 1 }
        return next < words.count && words[next].start == index ? words[next] : nil
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

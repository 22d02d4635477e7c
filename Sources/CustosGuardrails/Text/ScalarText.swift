/// A text as an array of Unicode scalars, so that detectors index it in O(1) and report offsets in
/// scalars, with each scalar's ``ScalarKind`` beside it and lists of the positions where findings can
/// start. Input longer than ``maximumScalars`` is cut there (the cut is reported by the scanner).
///
/// Every finding starts at an *anchor* (``isAnchor(_:)``): a position where an ASCII letter or digit
/// follows anything else (a word's or a number's start), where an `A` stands (key prefixes such as
/// `AKIA` may follow other characters), or where one of ``markScalars`` stands. The reader lists the
/// kinds of anchors the detectors walk (at marks, at numbers, at a credential's first character; the
/// words), so that a detector visits those instead of every scalar.
public struct ScalarText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// The kind of each scalar.
    let kinds: [ScalarKind]
    /// The anchors at one of ``markScalars``: what the detectors that start from punctuation walk.
    let markAnchors: Positions
    /// The anchors where a number starts (an ASCII digit after anything but an ASCII letter or digit)
    /// and those at `+` and `(`: what the number detectors walk.
    let numberAnchors: Positions
    /// The anchors at a character a credential's prefix or a JWT starts with
    /// (``SecretDetectors/firstCharacters``): what the token detector walks.
    let tokenAnchors: Positions
    /// The ``numberAnchors`` at a digit (not at `+` or `(`): where a number's digits start.
    let numberStarts: Positions
    /// Where the digits that start at each of ``numberStarts`` end (the first position after them that
    /// is not an ASCII digit), found once for the number detectors: most numbers of a text are too
    /// short for any of them, which this tells without reading the number again.
    let numberEnds: Positions
    /// The words of ASCII letters that do not continue another word (no letter or digit of any
    /// script right before them), in order, with their ``WordKeys`` keys: found once for the
    /// detectors that look for context words, and walked instead of the anchors by those whose
    /// findings start with a word (IBANs, identity numbers, dates that start with a month).
    let words: [Word]
    /// The indices in ``words`` of those that start with an ASCII capital, in order.
    let capitalisedWords: Positions
    /// For each block of ``wordBlock`` scalars, the index in ``words`` of the first word that starts in
    /// or after it: the words near a position are found from there in a few steps, instead of by a
    /// bisection whose every step is a branch the processor cannot predict.
    private let wordBlocks: [Int32]
    static let wordBlock = 1 << wordBlockBits
    static let wordBlockBits = 6
    /// Where the runs of ASCII letters that are not ``words`` start: after a digit or a letter of
    /// another script. With the words, every maximal run of ASCII letters, for ``hasContext(_:around:distance:)``.
    let gluedRuns: Positions
    /// What detectors ask of the whole text before they look at it.
    let census: Census
    /// Whether the input was longer than the bound.
    public let truncated: Bool
    public static let maximumScalars = 4 * 1024 * 1024

    /// The punctuation findings can start at or are found from: `@` (e-mail), `:` (`scheme://`, IPv6,
    /// `Classification:`), `+` and `(` (phone numbers), `-` (`-----BEGIN`), `/` and `=` (base64 runs),
    /// and the line feed (markings are per line).
    static let markScalars: Set<Unicode.Scalar> = ["@", ":", "+", "(", "-", "/", "=", "\n"]

    /// Scalars already decoded (a stream's window), cut at the bound like a string.
    init(scalars: [Unicode.Scalar]) {
        self.init(capacity: scalars.count) { $0.read(scalars) }
    }

    public init(_ text: String) {
        // Read from the string's own UTF-8: iterating `unicodeScalars` costs several times more.
        var text = text
        self = text.withUTF8 { bytes in ScalarText(capacity: bytes.count) { $0.read(utf8: bytes) } }
    }

    /// Reads the text once with a ``ScalarReader``: each scalar's kind, the anchors, the words and the
    /// census. `capacity` is at least the number of scalars (up to the bound); `read` returns whether
    /// the text was cut.
    private init(capacity: Int, read: (inout ScalarReader) -> Bool) {
        let capacity = min(capacity, Self.maximumScalars)
        var reader: ScalarReader?
        var truncated = false
        var scalars: [Unicode.Scalar] = []
        let kinds = [ScalarKind](unsafeUninitializedCapacity: capacity) { kindBuffer, kindCount in
            scalars = [Unicode.Scalar](unsafeUninitializedCapacity: capacity) { scalarBuffer, scalarCount in
                guard let scalarBase = scalarBuffer.baseAddress, let kindBase = kindBuffer.baseAddress else { return }
                var reading = ScalarReader(scalars: scalarBase, kinds: kindBase, capacity: capacity)
                truncated = read(&reading)
                reading.finish()
                scalarCount = reading.count
                reader = reading
            }
            kindCount = reader?.count ?? 0
        }
        self.scalars = scalars
        self.kinds = kinds
        self.markAnchors = Positions(reader?.markAnchors.array ?? [])
        self.tokenAnchors = Positions(reader?.tokenAnchors.array ?? [])
        let numberAnchors = reader?.numberAnchors.array ?? []
        self.numberAnchors = Positions(numberAnchors)
        let (numberStarts, numberEnds) = Self.numbers(at: numberAnchors, kinds)
        (self.numberStarts, self.numberEnds) = (Positions(numberStarts), Positions(numberEnds))
        self.words = reader?.words.array ?? []
        self.capitalisedWords = Positions(reader?.capitalisedWords.array ?? [])
        self.wordBlocks = Self.blocks(of: words, count: reader?.count ?? 0)
        self.gluedRuns = Positions(reader?.gluedRuns.array ?? [])
        self.census = reader?.census ?? Census()
        reader?.deallocate()
        self.truncated = truncated
    }

    public var count: Int { scalars.count }

    /// Where the run of ASCII digits at `start` ends (`start` itself if there is no digit there).
    func digitsEnd(from start: Int) -> Int { kinds.withUnsafeBufferPointer { Self.digitsEnd($0, from: max(start, 0)) } }

    @inline(__always) private static func digitsEnd(_ kinds: UnsafeBufferPointer<ScalarKind>, from start: Int) -> Int {
        var end = start
        while end < kinds.count, kinds[end].isAny(.digit) { end &+= 1 }
        return end
    }

    /// The number anchors at a digit, and where each one's digits end.
    private static func numbers(at anchors: [Int32], _ kinds: [ScalarKind]) -> (starts: [Int32], ends: [Int32]) {
        var ends: [Int32] = []
        let starts = [Int32](unsafeUninitializedCapacity: anchors.count) { starts, startCount in
            ends = [Int32](unsafeUninitializedCapacity: anchors.count) { ends, endCount in
                kinds.withUnsafeBufferPointer { kinds in
                    for anchor in anchors where kinds[Int(anchor)].isAny(.digit) {
                        starts.initializeElement(at: endCount, to: anchor)
                        ends.initializeElement(at: endCount, to: Int32(truncatingIfNeeded: digitsEnd(kinds, from: Int(anchor))))
                        endCount += 1
                    }
                }
                startCount = endCount
            }
        }
        return (starts, ends)
    }

    /// ``wordBlocks`` for `words` in a text of `count` scalars: one walk over the words, each block
    /// filled when the first word in or after it is met.
    private static func blocks(of words: [Word], count: Int) -> [Int32] {
        var blocks = [Int32](repeating: Int32(truncatingIfNeeded: words.count), count: count / wordBlock + 1)
        blocks.withUnsafeMutableBufferPointer { blocks in
            words.withUnsafeBufferPointer { words in
                var filled = 0
                for index in words.indices {
                    let block = words[index].start &>> wordBlockBits
                    while filled <= block {
                        blocks[filled] = Int32(truncatingIfNeeded: index)
                        filled &+= 1
                    }
                }
            }
        }
        return blocks
    }

    /// The index in ``words`` of the first word that starts at or after `position` (`words.count` if
    /// none does).
    func firstWord(atOrAfter position: Int) -> Int {
        guard position > 0 else { return 0 }
        let block = position / Self.wordBlock
        guard block < wordBlocks.count else { return words.count }
        var index = Int(wordBlocks[block])
        while index < words.count, words[index].start < position { index += 1 }
        return index
    }

    /// Whether a finding can start at `index` (see the type's description).
    func isAnchor(_ index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        return isAny(index, .asciiAlphanumeric) && !isAny(index - 1, .asciiAlphanumeric) || ScalarReader.isAnchorAnywhere(scalars[index])
    }

    @inline(__always) public subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    /// The kind of the scalar at `index`; none outside the text.
    @inline(__always) func kind(_ index: Int) -> ScalarKind {
        // Checked here once: the array's own check would be a second.
        index >= 0 && index < kinds.count ? kinds.withUnsafeBufferPointer { $0[index] } : []
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
    ///
    /// The runs in the window are found in the lists, not by reading the window: the run that crosses
    /// its start (keyed from there), then the ``words`` and the ``gluedRuns`` that start inside it
    /// (every other run; those crossing its end keyed up to there). Detectors ask this for most
    /// candidates.
    func hasContext(_ words: WordKeys, around range: Range<Int>, distance: Int = 40) -> Bool {
        let lower = max(0, range.lowerBound - distance)
        let upper = min(count, range.upperBound + distance)
        guard lower < upper else { return false }
        var from = lower
        if isASCIILetter(lower), isASCIILetter(lower - 1) {
            let (key, end) = WordKeys.word(self, from: lower, upTo: upper)
            if words.contains(key) { return true }
            from = end
        }
        var index = firstWord(atOrAfter: from)
        while index < self.words.count, self.words[index].start < upper {
            let word = self.words[index]
            let key = word.end <= upper ? word.key : WordKeys.word(self, from: word.start, upTo: upper).key
            if words.contains(key) { return true }
            index += 1
        }
        index = gluedRuns.firstIndex(bisecting: { $0 >= from })
        while index < gluedRuns.count, gluedRuns[index] < upper {
            if words.contains(WordKeys.word(self, from: gluedRuns[index], upTo: upper).key) { return true }
            index += 1
        }
        return false
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

/// Ascending positions in a text (``ScalarText/anchors`` and the like), held in 32 bits (a text's
/// bound fits) so that the reader's lists are copied out as they are, and read as `Int`.
struct Positions: RandomAccessCollection, Equatable, Sendable {
    private let storage: [Int32]

    init(_ storage: [Int32]) { self.storage = storage }

    var startIndex: Int { 0 }
    var endIndex: Int { storage.count }

    @inline(__always) subscript(_ index: Int) -> Int { Int(storage[index]) }
}

extension RandomAccessCollection where Index == Int {
    /// The first index from `start` on whose element satisfies `isAfter`, by bisection, in an array
    /// (or ``Positions``) where every element that satisfies it comes after every element that does not;
    /// `endIndex` when none does.
    func firstIndex(from start: Int = 0, bisecting isAfter: (Element) -> Bool) -> Int {
        var (low, high) = (start, endIndex)
        while low < high {
            let middle = (low + high) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The same, for a walk over ascending positions: a few steps from `start`, then by bisection, so
    /// that the next position costs little when it is near and a logarithm when it is not.
    func firstIndex(from start: Int, galloping isAfter: (Element) -> Bool) -> Int {
        var index = start
        for _ in 0..<8 {
            guard index < endIndex, !isAfter(self[index]) else { return index }
            index += 1
        }
        return firstIndex(from: index, bisecting: isAfter)
    }
}

/// Walks a text's words alongside its anchors, for a detector that skips what starts with a word
/// (IP addresses).
struct WordCursor {
    private let words: [Word]
    private var next = 0

    init(_ text: ScalarText) { words = text.words }

    /// The word that starts at `index`, if one does. Positions must not decrease from call to call.
    mutating func word(startingAt index: Int) -> Word? {
        next = words.firstIndex(from: next, galloping: { $0.start >= index })
        return next < words.count && words[next].start == index ? words[next] : nil
    }
}

/// The union of two ascending sequences of positions, in ascending order, each position once: for
/// detectors whose findings start at either of two kinds of position.
struct MergedPositions<First: Sequence<Int>, Second: Sequence<Int>>: Sequence, IteratorProtocol {
    private var first: First.Iterator
    private var second: Second.Iterator
    private var nextFirst: Int?
    private var nextSecond: Int?

    init(_ first: First, _ second: Second) {
        (self.first, self.second) = (first.makeIterator(), second.makeIterator())
        (nextFirst, nextSecond) = (self.first.next(), self.second.next())
    }

    mutating func next() -> Int? {
        guard let a = nextFirst else {
            defer { nextSecond = second.next() }
            return nextSecond
        }
        guard let b = nextSecond, b <= a else {
            nextFirst = first.next()
            return a
        }
        if b == a { nextFirst = first.next() }
        nextSecond = second.next()
        return b
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

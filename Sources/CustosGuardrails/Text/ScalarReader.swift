/// Reads a text into the buffers of a ``ScalarText``: each scalar and its kind, the lists of anchors,
/// the words and the census, in one pass.
///
/// Eight ASCII bytes at a time where the text has them: their kinds come from the table as one 64-bit
/// word, and the questions asked of every position (letter? alphanumeric? in a run of key
/// characters?) become eight-bit masks, so that only the positions where something starts or ends
/// (anchors, word edges, the ends of runs) cost a step of their own. Any other scalar is read alone,
/// with the same rules; both ways leave the same state behind, so they interleave freely.
struct ScalarReader {
    private let scalars: UnsafeMutablePointer<Unicode.Scalar>
    private let kinds: UnsafeMutablePointer<ScalarKind>
    let capacity: Int
    /// ``ScalarKind/common`` and ``asciiFlags``, held here so that the loop does not ask for the
    /// static tables (each ask is a call that checks they were built).
    private let kindTable = ScalarKind.common
    private let flagTable = Self.asciiFlags
    private let entryTable = Self.asciiEntries
    private(set) var count = 0
    /// The anchors at ``ScalarText/markScalars``, and those where a number starts or at `+` and `(`.
    private(set) var markAnchors = GrowingList<Int32>(capacity: 64)
    private(set) var numberAnchors = GrowingList<Int32>(capacity: 64)
    /// The anchors at one of ``SecretDetectors/firstCharacters`` (where a credential can start).
    private(set) var tokenAnchors = GrowingList<Int32>(capacity: 64)
    private(set) var words: GrowingList<Word>
    /// The indices in ``words`` of the words that start with an ASCII capital.
    private(set) var capitalisedWords = GrowingList<Int32>(capacity: 64)
    /// Where a run of ASCII letters starts right after a digit or a letter of another script (`5th`,
    /// `Müller`'s `ller`): the runs that are not ``words``.
    private(set) var gluedRuns = GrowingList<Int32>(capacity: 16)
    private(set) var census = Census()
    /// Per byte, how many digits and colons the eight-byte steps have met in its lane since
    /// ``flushCounts()`` last added them to the census (which it must before a lane could pass 255).
    private var digitLanes: UInt64 = 0
    private var colonLanes: UInt64 = 0
    private var stepsUntilFlush = 255
    /// The kind of the scalar before the next one.
    private var previous: ScalarKind = []
    /// The word being read: where it starts (-1 outside one), its key so far (``WordKeys``) and how
    /// many letters it has so far.
    private var word = OpenWord(start: -1, key: 0, letters: 0)
    /// Where the current run of ``runKinds`` starts (the position after the last scalar outside one).
    private var runStart = 0

    /// The kinds that make up the runs listed in ``Census/runs``.
    static let runKinds: ScalarKind = [.digit, .upper, .lower, .base64Symbol, .urlSymbol]

    /// Per ASCII byte, ``Flag``s. Built once and kept for the process, like ``ScalarKind/common``.
    nonisolated(unsafe) private static let asciiFlags: UnsafeBufferPointer<UInt8> = {
        let table = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 128)
        for value in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(value))
            let mark = ScalarText.markScalars.contains(scalar)
            table[value] =
                (mark || scalar == "A" ? Flag.anchor : 0) | (scalar == ":" ? Flag.colon : 0) | (mark ? Flag.mark : 0)
                | (scalar == "+" || scalar == "(" ? Flag.numberMark : 0)
                | (SecretDetectors.firstCharacters.contains(scalar) ? Flag.tokenStart : 0)
            let kind = ScalarKind.common[value]
            table[value] |=
                (kind.isAny(.asciiAlphanumeric) ? Flag.alphanumeric : 0) | (kind.isAny(.asciiLetter) ? Flag.letter : 0)
                | (kind.isAny(runKinds) ? Flag.inRun : 0)
        }
        return UnsafeBufferPointer(table)
    }()

    /// Per ASCII byte, its kind in bits 0–7 and its ``Flag``s in bits 32–39, for the eight-byte step.
    nonisolated(unsafe) private static let asciiEntries: UnsafeBufferPointer<UInt64> = {
        let table = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 128)
        for value in 0..<128 { table[value] = UInt64(ScalarKind.common[value].rawValue) | UInt64(asciiFlags[value]) << 32 }
        return UnsafeBufferPointer(table)
    }()

    /// Whether `scalar` is an anchor wherever it stands (one of ``ScalarText/markScalars``, or `A`).
    static func isAnchorAnywhere(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 && asciiFlags[Int(scalar.value)] & Flag.anchor != 0
    }

    /// What an ASCII byte is beyond its kind.
    enum Flag {
        /// An anchor wherever it stands: the marks and `A`.
        static let anchor: UInt8 = 1
        static let colon: UInt8 = 2
        /// One of ``ScalarText/markScalars``.
        static let mark: UInt8 = 4
        /// `+` or `(`, which can start a phone number.
        static let numberMark: UInt8 = 8
        /// A character a credential's prefix or a JWT starts with (``SecretDetectors/firstCharacters``).
        static let tokenStart: UInt8 = 16
        // The kinds the eight-byte step asks about, one bit each, so that each question is one gather.
        /// An ASCII letter or digit.
        static let alphanumeric: UInt8 = 32
        /// An ASCII letter.
        static let letter: UInt8 = 64
        /// One of ``ScalarReader/runKinds``.
        static let inRun: UInt8 = 128
    }

    init(scalars: UnsafeMutablePointer<Unicode.Scalar>, kinds: UnsafeMutablePointer<ScalarKind>, capacity: Int) {
        // The eight-byte step skips runs shorter than eight (those between two scalars outside a run).
        precondition(SecretDetectors.shortestRun > 8)
        (self.scalars, self.kinds, self.capacity) = (scalars, kinds, capacity)
        words = GrowingList(capacity: min(capacity / 6, 4096))
    }

    /// Reads valid UTF-8 (a `String`'s) until it ends or ``capacity`` scalars are read; returns whether
    /// scalars were left unread.
    mutating func read(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 0
        while index < bytes.count {
            // Eight bytes at a time while they are ASCII and fit: the bytes left and the room left, as
            // one bound for the loop.
            let last = min(bytes.count, index &+ (capacity &- count)) &- 8
            while index <= last {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                guard word & 0x8080_8080_8080_8080 == 0 else { break }
                takeASCII(word)
                index &+= 8
            }
            guard index < bytes.count else { break }
            guard count < capacity else { return true }
            let lead = UInt32(bytes[index])
            guard lead >= 0x80 else {
                take(Unicode.Scalar(UInt8(lead)))
                index += 1
                continue
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            var value = lead & (0x7F >> UInt32(length))
            for continuation in bytes[(index + 1)..<min(index + length, bytes.count)] { value = value << 6 | UInt32(continuation & 0x3F) }
            take(Unicode.Scalar(value) ?? "\u{FFFD}")
            index += length
        }
        return false
    }

    /// Reads scalars already decoded; returns whether some were left unread.
    mutating func read(_ source: some Sequence<Unicode.Scalar>) -> Bool {
        for scalar in source {
            guard count < capacity else { return true }
            take(scalar)
        }
        return false
    }

    /// Closes what is still open at the end of the text.
    mutating func finish() {
        if word.start >= 0 { closeWord(at: count) }
        closeRun(at: count)
        flushCounts()
    }

    /// Frees the lists, once they are copied out.
    func deallocate() {
        markAnchors.deallocate()
        capitalisedWords.deallocate()
        tokenAnchors.deallocate()
        numberAnchors.deallocate()
        words.deallocate()
        gluedRuns.deallocate()
    }

    /// One scalar.
    @inline(__always) private mutating func take(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        let kind = value < ScalarKind.commonLimit ? kindTable[Int(value)] : ScalarKind(scalar)
        if value < 0x80 {
            let flags = flagTable[Int(value)]
            let starts = kind.isAny(.asciiAlphanumeric) && !previous.isAny(.asciiAlphanumeric)
            if flags & Flag.anchor != 0 || starts, flags & Flag.tokenStart != 0 { tokenAnchors.append(Int32(truncatingIfNeeded: count)) }
            if flags & Flag.mark != 0 { markAnchors.append(Int32(truncatingIfNeeded: count)) }
            if flags & Flag.numberMark != 0 || starts && kind.isAny(.digit) { numberAnchors.append(Int32(truncatingIfNeeded: count)) }
        }
        scalars[count] = scalar
        kinds[count] = kind
        census.digits += Int(kind.rawValue & ScalarKind.digit.rawValue)
        census.colons += value == 0x3A ? 1 : 0
        if kind.isAny(.asciiLetter) {
            if !previous.isAny(.asciiLetter), previous.isAny(.alphanumeric) { gluedRuns.append(Int32(truncatingIfNeeded: count)) }
            if word.start < 0, !previous.isAny(.alphanumeric) {
                word = OpenWord(start: count, key: 0, letters: 0)
                capitalisedWords.append(Int32(truncatingIfNeeded: words.count), if: kind.isAny(.upper))
            }
            if word.start >= 0 { word.add(WordKeys.code(value), count: 1) }
        } else if word.start >= 0 {
            closeWord(at: count)
        }
        if !kind.isAny(Self.runKinds) { closeRun(at: count) }
        previous = kind
        count += 1
    }

    /// Eight ASCII scalars, given as their bytes (the first in the lowest byte).
    @inline(__always) private mutating func takeASCII(_ bytes: UInt64) {
        // One look-up a byte gives its kind (low half) and its flags (high half): lanes 0–3 are gathered
        // in `low`, lanes 4–7 in `high`, and the halves then regrouped into the two words.
        var low: UInt64 = 0
        var high: UInt64 = 0
        for lane in 0..<4 {
            low |= entryTable[Int(truncatingIfNeeded: bytes &>> UInt64(8 * lane)) & 0x7F] &<< UInt64(8 * lane)
            high |= entryTable[Int(truncatingIfNeeded: bytes &>> UInt64(8 * lane + 32)) & 0x7F] &<< UInt64(8 * lane)
        }
        let kindWord = low & 0xFFFF_FFFF | high &<< 32
        let flagWord = low &>> 32 | high & 0xFFFF_FFFF_0000_0000
        UnsafeMutableRawPointer(kinds + count).storeBytes(of: kindWord.littleEndian, as: UInt64.self)
        let widened = SIMD8<UInt32>(truncatingIfNeeded: unsafeBitCast(bytes.littleEndian, to: SIMD8<UInt8>.self))
        UnsafeMutableRawPointer(scalars + count).storeBytes(of: widened, as: SIMD8<UInt32>.self)
        // Counted per lane (a population count is a long sequence on the baseline x86-64 processor).
        digitLanes &+= kindWord & Self.lanes(ScalarKind.digit)
        colonLanes &+= flagWord &>> Flag.colon.trailingZeroBitCount & Self.lanes(1)
        stepsUntilFlush &-= 1
        if stepsUntilFlush == 0 { flushCounts() }

        // Bit `i` of each mask is lane `i`; the lane before lane 0 is `previous`. The state this step
        // changes is held in locals, and written back at its end: between the stores through pointers
        // (kinds, scalars, lists), the compiler would otherwise reload each field from memory.
        let count = self.count
        let alphanumeric = Self.lanesWith(Flag.alphanumeric, flagWord)
        let letters = Self.lanesWith(Flag.letter, flagWord)
        let before = (alphanumeric << 1) | (previous.isAny(.alphanumeric) ? 1 : 0)
        let letterBefore = (letters << 1) | (previous.isAny(.asciiLetter) ? 1 : 0)
        let asciiBefore = (alphanumeric << 1) | (previous.isAny(.asciiAlphanumeric) ? 1 : 0)

        let starts = alphanumeric & ~asciiBefore
        // Most runs of eight hold no anchor at a token's first character.
        let tokenBits = (Self.lanesWith(Flag.anchor, flagWord) | starts) & Self.lanesWith(Flag.tokenStart, flagWord)
        if tokenBits != 0 { tokenAnchors.appendLanes(tokenBits, plus: count) }
        // Most runs of eight hold no mark and no digit.
        if flagWord & Self.lanes(Flag.mark) | kindWord & Self.lanes(ScalarKind.digit) != 0 {
            markAnchors.appendLanes(Self.lanesWith(Flag.mark, flagWord), plus: count)
            let digits = Self.lanesWith(ScalarKind.digit.rawValue, kindWord)
            numberAnchors.appendLanes(starts & digits | Self.lanesWith(Flag.numberMark, flagWord), plus: count)
        }

        // A word is a run of letters that starts after anything but a letter or digit (the runs that
        // start right after a digit or another script's letter are not words). Adding each word's first
        // letter to the letters carries through its run: the sum's bits outside the letters are where
        // the words end (the word still open from the last eight counts as starting at lane 0, and one
        // that runs past lane 7 carries out). Starts and ends then pair in order. A word's key is taken
        // from `codes`, the letters' five bits packed in order.
        let wordStarts = letters & ~before
        // Rare: a letter run right after a digit or another script's letter.
        let glued = letters & ~letterBefore & before & 0xFF
        if glued != 0 { gluedRuns.appendLanes(glued, plus: count) }
        var word = self.word
        if wordStarts != 0 || word.start >= 0 {
            var ends = (letters &+ (wordStarts | (word.start >= 0 ? 1 : 0))) & ~letters & 0xFF
            let codes = Self.packedCodes(bytes)
            if word.start >= 0 {
                if ends != 0 {
                    let lane = ends.trailingZeroBitCount
                    word.add(codes, count: lane)
                    words.append(word.closed(at: count &+ lane))
                    word.start = -1
                    ends &= ends &- 1
                } else {
                    word.add(codes, count: 8)
                }
            }
            var starts = wordStarts
            while starts != 0 {
                let lane = starts.trailingZeroBitCount
                starts &= starts &- 1
                capitalisedWords.append(Int32(truncatingIfNeeded: words.count), if: kindWord &>> UInt64(8 &* lane) & UInt64(ScalarKind.upper.rawValue) != 0)
                let rest = codes &>> UInt64(5 &* lane)
                guard ends != 0 else {
                    word = OpenWord(start: count &+ lane, key: rest, letters: 8 &- lane)
                    break
                }
                let end = ends.trailingZeroBitCount
                ends &= ends &- 1
                words.append(Word(start: count &+ lane, end: count &+ end, key: rest & ((1 &<< UInt64(5 &* (end &- lane))) &- 1)))
            }
            self.word = word
        }

        // Runs strictly inside these eight are too short to list: only the first and the last scalar
        // outside a run matter.
        let outside = ~Self.lanesWith(Flag.inRun, flagWord) & 0xFF
        if outside != 0 {
            closeRun(at: count &+ outside.trailingZeroBitCount)
            runStart = count &+ (64 &- outside.leadingZeroBitCount)
        }
        previous = ScalarKind(rawValue: UInt8(truncatingIfNeeded: kindWord >> 56))
        self.count = count &+ 8
    }

    /// Adds the per-lane counts to the census.
    private mutating func flushCounts() {
        census.digits += Self.sumOfLanes(digitLanes)
        census.colons += Self.sumOfLanes(colonLanes)
        (digitLanes, colonLanes, stepsUntilFlush) = (0, 0, 255)
    }

    /// The sum of the eight bytes of `word`: pairs of bytes into 16-bit lanes, then the four lanes
    /// gathered into the top one by a multiplication (at most 2,040, so no lane overflows).
    @inline(__always) static func sumOfLanes(_ word: UInt64) -> Int {
        let pairs = word & 0x00FF_00FF_00FF_00FF &+ (word &>> 8) & 0x00FF_00FF_00FF_00FF
        return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) &>> 48)
    }

    private mutating func closeWord(at end: Int) {
        words.append(word.closed(at: end))
        word.start = -1
    }

    /// The low five bits of each of the eight bytes (a letter's ``WordKeys/code(_:)``, either case), packed
    /// in order: byte `i`'s at bit `5 i`. Pairs, then quads, then the two halves are joined.
    @inline(__always) static func packedCodes(_ bytes: UInt64) -> UInt64 {
        let codes = bytes & lanes(0x1F)
        let pairs = codes & 0x001F_001F_001F_001F | (codes >> 3) & 0x03E0_03E0_03E0_03E0
        let quads = pairs & 0x0000_03FF_0000_03FF | (pairs >> 6) & 0x000F_FC00_000F_FC00
        return quads & 0xF_FFFF | (quads >> 12) & 0xFF_FFF0_0000
    }

    /// The scalar at `position` is outside a run: the run before it is listed if it is long enough.
    @inline(__always) private mutating func closeRun(at position: Int) {
        if position &- runStart >= SecretDetectors.shortestRun { census.runs.append(runStart..<position) }
        runStart = position &+ 1
    }

    /// `bits` in every byte of a word.
    @inline(__always) private static func lanes(_ bits: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(bits) }

    @inline(__always) private static func lanes(_ kinds: ScalarKind) -> UInt64 { lanes(kinds.rawValue) }

    /// Bit `i` set where byte `i` of `word` has the single bit `bit`: each byte's bit is moved to the
    /// byte's lowest bit, then the eight are gathered into the top byte by one multiplication (byte `i`'s
    /// lands on bit 56 + `i`, and no two partial products meet, so nothing carries).
    @inline(__always) private static func lanesWith(_ bit: UInt8, _ word: UInt64) -> UInt64 {
        (((word &>> UInt64(bit.trailingZeroBitCount)) & lanes(1)) &* 0x0102_0408_1020_4080) &>> 56
    }
}

/// A word that ``ScalarReader`` is reading: where it starts (-1 outside one), its ``WordKeys`` key so
/// far and how many letters it has so far.
struct OpenWord {
    var start: Int
    var key: UInt64
    var letters: Int

    /// Adds `count` letters, given by their five-bit codes from the lowest bits of `codes` up.
    @inline(__always) mutating func add(_ codes: UInt64, count: Int) {
        if letters &+ count <= WordKeys.longestWord {
            key |= (codes & ((1 &<< UInt64(5 &* count)) &- 1)) &<< UInt64(5 &* letters)
        }
        letters &+= count
    }

    /// The word, ending at `end` (its key 0 if it is longer than a key holds).
    @inline(__always) func closed(at end: Int) -> Word {
        Word(start: start, end: end, key: letters <= WordKeys.longestWord ? key : 0)
    }
}

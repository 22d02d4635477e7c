/// A set of short lowercase ASCII words, each held as an integer key (five bits a letter, the first
/// letter in the lowest bits: `a` is 1, `z` 26, whatever the case) in a small
/// open-addressing table, so that asking whether a word of a text is one of them is a multiplication
/// and about one comparison, with no allocation: detectors ask this for every word of a text.
struct WordKeys: Sendable {
    /// The longest word a key holds; a longer word has key 0, which no set contains.
    static let longestWord = 12

    /// The words, as given.
    let words: [String]
    /// Keys at their hashed slots (0: empty), at most an eighth full unless told otherwise, so that
    /// most words of a text, which are in no set, find their first slot empty.
    private let slots: [UInt64]
    /// For each slot, the classes its word belongs to (bit `i`: class `i`).
    private let classBits: [UInt8]
    private let shift: UInt64

    /// `words` must be 1–12 lowercase ASCII letters.
    init(_ words: [String]) { self.init(classes: [words]) }

    /// The words of up to eight classes in one table: ``classes(of:)`` tells with one probe which of
    /// them a word belongs to.
    init(union sets: [WordKeys], sparseness: Int = 8) { self.init(classes: sets.map(\.words), sparseness: sparseness) }

    /// The words of up to eight classes (class `i`: bit `i` of ``classes(of:)``), in a table with at
    /// least `sparseness` slots per word: a large set that only some words are looked up in (given
    /// names, for capitalised words) stays small enough to be cached.
    init(classes: [[String]], sparseness: Int = 8) {
        precondition(classes.count <= 8 && sparseness >= 2)
        let words = classes.flatMap { $0 }
        var bits: UInt64 = 2
        while 1 << bits < sparseness * words.count { bits += 1 }
        var slots = [UInt64](repeating: 0, count: 1 << bits)
        var classBits = [UInt8](repeating: 0, count: 1 << bits)
        let shift = 64 - bits
        for (index, members) in classes.enumerated() {
            for word in members {
                precondition((1...Self.longestWord).contains(word.utf8.count) && word.utf8.allSatisfy { (0x61...0x7A).contains($0) })
                let key = Self.key(word)
                var slot = Self.slot(key, shift)
                while slots[slot] != 0, slots[slot] != key { slot = (slot + 1) & (slots.count - 1) }
                slots[slot] = key
                classBits[slot] |= 1 << UInt8(index)
            }
        }
        self.words = words
        self.slots = slots
        self.classBits = classBits
        self.shift = shift
    }

    @inline(__always) private static func slot(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    /// The key of one lowercase ASCII word.
    static func key(_ word: String) -> UInt64 {
        word.utf8.enumerated().reduce(UInt64(0)) { extend($0, with: UInt32($1.element), at: $1.offset) }
    }

    /// The five-bit code of the ASCII letter `value`, either case: `a` is 1, `z` 26.
    @inline(__always) static func code(_ value: UInt32) -> UInt64 { UInt64(value & 0x1F) }

    /// `key` with the ASCII letter `value` (either case) as its letter number `position` (from 0).
    @inline(__always) static func extend(_ key: UInt64, with value: UInt32, at position: Int) -> UInt64 {
        key | code(value) << UInt64(5 * position)
    }

    /// The run of ASCII letters at `start` (ending at `limit` at the latest) as a key
    /// (case-insensitive), and its end; the key is 0 for an empty run or one longer than
    /// ``longestWord``. (``ScalarReader`` computes a text's words' keys the same way, eight letter
    /// codes at a time.)
    @inline(__always) static func word(_ text: ScalarText, from start: Int, upTo limit: Int) -> (key: UInt64, end: Int) {
        text.kinds.withUnsafeBufferPointer { kinds in
            text.scalars.withUnsafeBufferPointer { word(kinds, $0, from: start, upTo: min(limit, text.count)) }
        }
    }

    /// The same over a text's buffers of kinds and scalars; `limit` is at most their length.
    @inline(__always) static func word(
        _ kinds: UnsafeBufferPointer<ScalarKind>, _ scalars: UnsafeBufferPointer<Unicode.Scalar>, from start: Int, upTo limit: Int
    ) -> (key: UInt64, end: Int) {
        var key: UInt64 = 0
        var index = start
        while index < limit, kinds[index].isAny(.asciiLetter) {
            if index - start < longestWord { key = extend(key, with: scalars[index].value, at: index - start) }
            index += 1
        }
        return (index - start <= longestWord ? key : 0, index)
    }

    @inline(__always) func contains(_ key: UInt64) -> Bool { classes(of: key) != 0 }

    /// The classes the word of `key` belongs to, one bit each (class `i` of ``init(union:)``: bit
    /// `i`); 0 for a word in none.
    @inline(__always) func classes(of key: UInt64) -> UInt8 {
        guard key != 0 else { return 0 }
        // Read without bounds checks: every slot is below the table's size (a power of two) by
        // construction of `slot` and of the mask.
        return slots.withUnsafeBufferPointer { slots in
            var slot = Self.slot(key, shift)
            while slots[slot] != 0 {
                if slots[slot] == key { return classBits.withUnsafeBufferPointer { $0[slot] } }
                slot = (slot &+ 1) & (slots.count &- 1)
            }
            return 0
        }
    }
}

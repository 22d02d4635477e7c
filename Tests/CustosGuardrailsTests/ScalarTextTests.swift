@testable import CustosGuardrails
import PropertyBased
import Testing

/// The text model every detector reads: its scalars are the string's, each kind is what the Unicode
/// properties say, and the anchors are exactly the positions their definition names, for any text.
@Suite struct ScalarTextTests {
    static let pieces = [
        "a", "Z", "7", " ", "A", "AKIA", "@", ":", "+", "(", "-", "/", "=", "\n", "_", ".", "é", "É", "ß", "🙂", "日本", "İ", "\u{200B}",
        "\u{0663}", "\u{10FFFF}", "\t", "\"", "ghp_AbCdEf0123456789xyz", "+/=", "abcdefghijklmn", "phone", "CARD", "telephones", "eyJ", "sk-",
    ]

    /// Only ASCII, so that most of a text is read eight bytes at a time, with words, runs and anchors
    /// across the edges of those eight.
    static let asciiPieces = Self.pieces.filter { $0.unicodeScalars.allSatisfy(\.isASCII) } + ["0123456789", "aB3", "x", "Q"]

    @Test(arguments: [pieces, asciiPieces]) func matchesTheStringForAnyText(pieces: [String]) async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int.max)) { seed in
            var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed))
            let string = (0..<random.next(below: 50)).map { _ in pieces[random.next(below: pieces.count)] }.joined()
            let text = ScalarText(string)
            #expect(text.scalars == Array(string.unicodeScalars))
            #expect(!text.truncated)
            for (index, scalar) in string.unicodeScalars.enumerated() {
                let ascii = scalar.isASCII
                #expect(text.isDigit(index) == ("0"..."9").contains(scalar))
                #expect(text.isASCIILetter(index) == (ascii && scalar.properties.isAlphabetic))
                #expect(text.isAlphanumeric(index) == (("0"..."9").contains(scalar) || scalar.properties.isAlphabetic))
                #expect(text.isUppercase(index) == scalar.properties.isUppercase)
            }
            let anchors = Self.anchors(Array(string.unicodeScalars))
            #expect((0...text.count).filter(text.isAnchor) == anchors)
            #expect(Array(text.markAnchors) == anchors.filter { ScalarText.markScalars.contains(text[$0]) })
            #expect(Array(text.numberAnchors) == anchors.filter { text.isDigit($0) || text[$0] == "+" || text[$0] == "(" })
            #expect(Array(text.numberStarts) == anchors.filter { text.isDigit($0) })
            #expect(Array(text.numberEnds) == text.numberStarts.map { start in (start...).first { !text.isDigit($0) }! })
            #expect(Array(text.tokenAnchors) == anchors.filter { SecretDetectors.firstCharacters.contains(text[$0]) })
            let fromScalars = ScalarText(scalars: Array(string.unicodeScalars))
            #expect(fromScalars.markAnchors == text.markAnchors && fromScalars.numberAnchors == text.numberAnchors)
            #expect(fromScalars.tokenAnchors == text.tokenAnchors)
            #expect(fromScalars.numberStarts == text.numberStarts && fromScalars.numberEnds == text.numberEnds)
            #expect(Array(text.capitalisedWords) == text.words.indices.filter { text.isASCIIUppercase(text.words[$0].start) })
            #expect(fromScalars.capitalisedWords == text.capitalisedWords)
            #expect(text.words.map { [$0.start, $0.end, Int($0.key)] } == Self.words(Array(string.unicodeScalars)))
            #expect(fromScalars.words.map { [$0.start, $0.end, Int($0.key)] } == Self.words(Array(string.unicodeScalars)))
            #expect(Array(text.gluedRuns) == Self.gluedRuns(Array(string.unicodeScalars)))
            #expect(fromScalars.gluedRuns == text.gluedRuns)
            #expect(text.census.digits == string.unicodeScalars.filter { ("0"..."9").contains($0) }.count)
            #expect(text.census.colons == string.unicodeScalars.filter { $0 == ":" }.count)
            #expect(text.census.runs == Self.longRuns(Array(string.unicodeScalars)))
            var cursor = WordCursor(text)
            for position in 0...text.count + 1 where random.next(below: 4) == 0 {
                #expect(cursor.word(startingAt: position)?.start == text.words.first { $0.start == position }?.start)
            }
            for position in 0...text.count + 1 {
                #expect(text.firstWord(atOrAfter: position) == text.words.firstIndex { $0.start >= position } ?? text.words.count)
            }
            for _ in 0..<20 {
                let start = random.next(below: text.count + 1)
                let range = start..<start + random.next(below: text.count - start + 1)
                let distance = random.next(below: 12)
                #expect(
                    text.hasContext(Self.contextWords, around: range, distance: distance)
                        == Self.hasContext(Array(string.unicodeScalars), around: range, distance: distance))
            }
        }
    }

    static let contextWords = WordKeys(["phone", "card", "ssn", "dob"])

    /// The scanner's sort by packed keys gives the order a comparison sort gives (ties in their given
    /// order), and positions too large to pack fall back to that sort.
    @Test func findingsSortByPosition() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed))
            let large = random.next(below: 4) == 0
            let findings = (0..<random.next(below: 40)).map { index in
                let start = random.next(below: 12) + (large ? 1 << 23 : 0)
                return Finding(type: "T\(index)", start: start, end: start + random.next(below: 4), score: 0.5)
            }
            let expected = findings.enumerated().sorted { ($0.element.start, $0.element.end, $0.offset) < ($1.element.start, $1.element.end, $1.offset) }
            #expect(GuardrailScanner.byPosition(findings) == expected.map(\.element))
        }
    }

    /// The reader's lists keep every value in order as they grow past their first capacity.
    @Test func growingListKeepsWhatWasAppended() {
        var list = GrowingList<Int32>(capacity: 3)
        defer { list.deallocate() }
        #expect(list.array.isEmpty)
        for value in 0..<1_000 { list.append(Int32(value * 7)) }
        #expect(list.count == 1_000)
        #expect(list.array == (0..<1_000).map { Int32($0 * 7) })
        for value in 0..<1_000 { list.append(Int32(value), if: value % 3 == 0) }
        #expect(list.array == (0..<1_000).map { Int32($0 * 7) } + stride(from: 0, to: 1_000, by: 3).map { Int32($0) })
        var lanes = GrowingList<Int32>(capacity: 1)
        defer { lanes.deallocate() }
        for step in 0..<300 { lanes.appendLanes(UInt64(step) | 0x100, plus: 8 * step) }
        #expect(lanes.array == (0..<300).flatMap { step in (0..<8).filter { step >> $0 & 1 == 1 }.map { Int32(8 * step + $0) } })
    }

    /// ``ScalarText/hasContext(_:around:distance:)`` by its definition: the runs of ASCII letters in the
    /// window (cut by its edges), lowercased, against the words.
    static func hasContext(_ scalars: [Unicode.Scalar], around range: Range<Int>, distance: Int) -> Bool {
        let window = scalars[max(0, range.lowerBound - distance)..<min(scalars.count, range.upperBound + distance)]
        let runs = window.split { !($0.isASCII && $0.properties.isAlphabetic) }
        return runs.contains { contextWords.words.contains(String(String.UnicodeScalarView($0)).lowercased()) }
    }

    @Test func mergedPositionsAreTheUnionInOrder() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed))
            let first = Set((0..<random.next(below: 20)).map { _ in random.next(below: 40) }).sorted()
            let second = Set((0..<random.next(below: 20)).map { _ in random.next(below: 40) }).sorted()
            #expect(Array(MergedPositions(first, second)) == Set(first).union(second).sorted())
        }
    }

    @Test func theKindTableMatchesTheUnicodeProperties() {
        for value in 0..<ScalarKind.commonLimit {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(ScalarKind.common[Int(value)] == ScalarKind(scalar), "U+\(String(value, radix: 16))")
        }
    }

    /// The words' definition: runs of ASCII letters that do not continue a letter or digit of any
    /// script, with their keys (five bits a letter, `a` 1 to `z` 26, the first in the lowest bits; 0
    /// beyond twelve letters).
    static func words(_ scalars: [Unicode.Scalar]) -> [[Int]] {
        func asciiLetter(_ index: Int) -> Bool { index < scalars.count && scalars[index].isASCII && scalars[index].properties.isAlphabetic }
        var words: [[Int]] = []
        for start in scalars.indices where asciiLetter(start) {
            guard start == 0 || !(scalars[start - 1].properties.isAlphabetic || ("0"..."9").contains(scalars[start - 1])) else { continue }
            var end = start
            while asciiLetter(end) { end += 1 }
            let key = end - start > 12 ? 0 : scalars[start..<end].enumerated().reduce(0) { $0 | (Int($1.element.value | 0x20) - 0x60) << (5 * $1.offset) }
            words.append([start, end, key])
        }
        return words
    }

    /// Where a run of ASCII letters starts right after a digit or a letter of any script other than
    /// an ASCII one.
    static func gluedRuns(_ scalars: [Unicode.Scalar]) -> [Int] {
        func asciiLetter(_ index: Int) -> Bool { index >= 0 && scalars[index].isASCII && scalars[index].properties.isAlphabetic }
        func alphanumeric(_ index: Int) -> Bool {
            index >= 0 && (("0"..."9").contains(scalars[index]) || scalars[index].properties.isAlphabetic)
        }
        return scalars.indices.filter { asciiLetter($0) && !asciiLetter($0 - 1) && alphanumeric($0 - 1) }
    }

    /// Maximal runs of ASCII letters, digits, `+ / = - _` of twenty or more.
    static func longRuns(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        func inRun(_ index: Int) -> Bool {
            index < scalars.count && scalars[index].isASCII
                && (scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]) || "+/=-_".unicodeScalars.contains(scalars[index]))
        }
        var runs: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            guard inRun(start) else {
                start += 1
                continue
            }
            var end = start
            while inRun(end) { end += 1 }
            if end - start >= 20 { runs.append(start..<end) }
            start = end
        }
        return runs
    }

    /// The definition, position by position.
    static func anchors(_ scalars: [Unicode.Scalar]) -> [Int] {
        func asciiAlphanumeric(_ index: Int) -> Bool {
            index >= 0 && scalars[index].isASCII && (scalars[index].properties.isAlphabetic || ("0"..."9").contains(scalars[index]))
        }
        return scalars.indices.filter { index in
            ScalarText.markScalars.contains(scalars[index]) || scalars[index] == "A"
                || (asciiAlphanumeric(index) && !asciiAlphanumeric(index - 1))
        }
    }

    @Test func longTextsAreCutAtTheBound() {
        let text = ScalarText(String(repeating: "é", count: ScalarText.maximumScalars + 3))
        #expect(text.count == ScalarText.maximumScalars)
        #expect(text.truncated)
        #expect(text.scalars.allSatisfy { $0 == "é" })
    }

    /// ASCII is read eight bytes at a time: the bound still holds to the scalar, whatever follows it.
    @Test(arguments: [0, 1, 3, 7, 8, 9]) func asciiTextsAreCutAtTheBoundToTheScalar(shortOfBound: Int) {
        let limit = ScalarText.maximumScalars
        let exact = ScalarText(String(String(repeating: "a1 ", count: limit / 3 + 1).prefix(limit - shortOfBound)))
        #expect(exact.count == limit - shortOfBound && !exact.truncated)
        let over = ScalarText(String(repeating: "b", count: limit - shortOfBound) + "éz" + String(repeating: "c", count: 20))
        #expect(over.count == limit)
        #expect(over.truncated == true)
        #expect(over.scalars.suffix(shortOfBound).first == (shortOfBound >= 1 ? "é" : nil))
        #expect(over.words.count == 1 && over.words[0].start == 0)
    }

    @Test func wordKeysMatchWholeWordsOnly() {
        let words = WordKeys(["born", "dob", "practitioner"])
        let text = ScalarText("Born DOBS practitioners dob practitioner")
        var found: [String] = []
        var index = 0
        while index < text.count {
            let (key, end) = WordKeys.word(text, from: index, upTo: text.count)
            if words.contains(key) { found.append(text.string(index..<end)) }
            index = max(end, index + 1)
        }
        #expect(found == ["Born", "dob", "practitioner"])
        #expect(!words.contains(0))
    }

    @Test func aUnionTellsEachWordsClassesInOneProbe() {
        let union = WordKeys(union: [WordKeys(["born", "birth"]), WordKeys(["name", "birth"]), WordKeys(["mr"])])
        #expect(union.classes(of: WordKeys.key("born")) == 0b001)
        #expect(union.classes(of: WordKeys.key("birth")) == 0b011)
        #expect(union.classes(of: WordKeys.key("name")) == 0b010)
        #expect(union.classes(of: WordKeys.key("mr")) == 0b100)
        #expect(union.classes(of: WordKeys.key("mrs")) == 0 && union.classes(of: 0) == 0)
        #expect(union.contains(WordKeys.key("birth")) && !union.contains(WordKeys.key("births")))
    }
}

/// A small deterministic generator for building texts from a property test's seed.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

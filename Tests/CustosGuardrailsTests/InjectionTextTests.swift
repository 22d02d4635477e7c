@testable import CustosGuardrails
import PropertyBased
import Testing

/// The text as the injection detector reads it, whose bytes the character 4-grams hash.
@Suite struct InjectionTextTests {
    static let pieces = [
        "a", "Z", "7", "_", " ", "  ", "\t", "\n", "\r\n", ".", ":", "<|", "|>", "#", "é", "É", "ß", "İ", "日本", "🙂", "\u{200B}",
        "\u{00AD}", "\u{0430}", "\u{FF29}", "\u{E0041}", "\u{E0020}", "\u{00A0}", "\u{2003}", "\u{0301}",
    ]

    @Test func disguisesComeOffAndWhiteSpaceIsOneSpace() {
        let read = InjectionText("Ig\u{200B}nore   ALL\n\tprevious <|im_start|>  \u{FF33}ystem café", decodePayloads: false)
        #expect(String(decoding: read.flat, as: UTF8.self) == "ignore all previous <|im_start|> system cafe")
    }

    /// For any text: the letters and digits of `flat` are exactly the words' bytes, in order; what
    /// separates them is kept, except that white space is one space; no upper-case ASCII is left.
    @Test func flatHoldsTheWordsAndTheirSeparators() async {
        await propertyCheck(count: 1_000, input: Gen.int(in: 0...Int.max)) { seed in
            var random = SplitMix(seed: UInt64(truncatingIfNeeded: seed))
            let string = (0..<random.next(below: 40)).map { _ in Self.pieces[random.next(below: Self.pieces.count)] }.joined()
            let read = InjectionText(string, decodePayloads: false)
            let flat = String(decoding: read.flat, as: UTF8.self)
            let wordScalars = flat.unicodeScalars.filter { InjectionText.fold($0) != nil }
            #expect(Array(String(String.UnicodeScalarView(wordScalars)).utf8) == read.bytes)
            #expect(!flat.contains("  ") && !flat.unicodeScalars.contains { $0.properties.isWhitespace && $0 != " " })
            #expect(!flat.unicodeScalars.contains { ("A"..."Z").contains($0) || InjectionText.isInvisible($0.value) })
        }
    }
}

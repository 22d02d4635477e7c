/// Street addresses that begin with a street type, the way Spanish, Italian, Portuguese, Polish and
/// French write them, beside the English `364 Main Street` of ``ContextDetectors/streetAddresses(_:into:)``:
/// - the type, the street's name, then the house number: `Calle de Regina Contreras 23`, `Via Bettin,
///   70`, `Rua Igreja 25`, `ulica Odrzańska 60/26`, `al. Norwida 775`;
/// - the house number, then a French type and the name: `12, rue Victor Hugo`.
///
/// Both are read from the street types the cues pass found (``Cues/streetTypes``), which few texts hold,
/// so that the numbers of a text cost nothing here. (Names that end in their type, `Fennestraat 6`,
/// `Hammelstrupvej 537`, are not found: read from every number, they cost a tenth of a dense scan;
/// see docs/GUARDRAILS.md.)
extension ContextDetectors {
    static func continentalAddresses(_ text: ScalarText, cues: Cues, into findings: inout [Finding]) {
        var end = 0
        for index in cues.streetTypes {
            let word = text.words[index]
            guard word.start >= end else { continue }
            // ``streetTypesFirst``'s class 1: the French types, which follow the number.
            let french = streetTypesFirst.classes(of: word.key) & 2 != 0
            let address = french ? numberFirstAddress(text, type: word) : typeFirstAddress(text, type: word)
            guard let address else { continue }
            let context = text.hasContext(addressWords, around: address)
            findings.append(Finding(type: "STREET_ADDRESS", start: address.lowerBound, end: address.upperBound, score: context ? 0.9 : 0.75))
            end = address.upperBound
        }
    }

    /// The address that starts with the street type `type` (`Calle`, `Via`, `ulica`, `al.`): link words
    /// and capitalised words (at least one a name in title case, not only initials such as `NW`), perhaps
    /// a comma, then a house number and an optional unit.
    private static func typeFirstAddress(_ text: ScalarText, type: Word) -> Range<Int>? {
        var cursor = type.end
        if polishAbbreviations.contains(type.key) {
            guard cursor < text.count, text[cursor] == "." else { return nil }
            cursor += 1
        } else if !polishTypes.contains(type.key) {
            // The Spanish, Italian and Portuguese types with a capital (`via` is an English word too).
            guard text.isASCIIUppercase(type.start) else { return nil }
        }
        var (words, titled) = (0, false)
        while cursor + 1 < text.count, text[cursor] == " " {
            let start = cursor + 1
            if text.isDigit(start) {
                guard titled, let numberEnd = houseNumberEnd(text, from: start, digitsEnd: text.digitsEnd(from: start)) else { return nil }
                return type.start..<(unitEnd(text, after: numberEnd) ?? numberEnd)
            }
            guard words < 5, let end = letterWordEnd(text, from: start) else { return nil }
            if text.isUppercase(start) {
                titled = titled || isTitled(text, start..<end)
            } else if !streetLinks.contains(asciiKey(text, start..<end)) {
                return nil
            }
            cursor = end
            if cursor < text.count, text[cursor] == "." { cursor += 1 }
            if cursor < text.count, text[cursor] == "," { cursor += 1 }
            words += 1
        }
        return nil
    }

    /// `12, rue Victor Hugo`: the house number before the French type `type` (a space, or a comma and a
    /// space, between), then link words and one to four capitalised words, and an optional unit.
    private static func numberFirstAddress(_ text: ScalarText, type: Word) -> Range<Int>? {
        var last = type.start - 2
        guard last >= 0, text[last + 1] == " " else { return nil }
        if text[last] == "," { last -= 1 }
        // The house number ends at `last`: digits, perhaps with a letter (`12a`).
        var numberStart = last
        if text.isASCIILetter(numberStart), text.isDigit(numberStart - 1) { numberStart -= 1 }
        guard text.isDigit(numberStart) else { return nil }
        while text.isDigit(numberStart - 1) { numberStart -= 1 }
        guard !text.isAlphanumeric(numberStart - 1), !(numberStart > 0 && text[numberStart - 1] == "-"),
            houseNumberEnd(text, from: numberStart, digitsEnd: text.digitsEnd(from: numberStart)) == last + 1
        else { return nil }
        var (cursor, names, end) = (type.end, 0, 0)
        while names < 4, cursor + 1 < text.count, text[cursor] == " ", let wordEnd = letterWordEnd(text, from: cursor + 1) {
            let key = asciiKey(text, cursor + 1..<wordEnd)
            if unitWords.contains(key) { break }
            if text.isUppercase(cursor + 1) {
                (names, end) = (names + 1, wordEnd)
            } else if !streetLinks.contains(key) {
                break
            }
            cursor = wordEnd
        }
        guard names > 0 else { return nil }
        return numberStart..<(unitEnd(text, after: end) ?? end)
    }

    /// The end of a house number whose digits run from `start` to `digitsEnd`: at most five digits, then
    /// perhaps a letter (`12a`), or `/` or `-` and more digits (`60/26`, `25-46`); nothing joined after,
    /// and not the first group of a longer number (`555.123.4567`, `10:30`).
    private static func houseNumberEnd(_ text: ScalarText, from start: Int, digitsEnd: Int) -> Int? {
        guard digitsEnd - start <= 5 else { return nil }
        var end = digitsEnd
        if text.isASCIILetter(end), !text.isLetter(end + 1) {
            end += 1
        } else if end + 1 < text.count, text[end] == "/" || text[end] == "-", text.isDigit(end + 1) {
            let more = text.digitsEnd(from: end + 1)
            guard more - end - 1 <= 4 else { return nil }
            end = more
        }
        let continues = end + 1 < text.count && (text[end] == "." || text[end] == ":") && text.isDigit(end + 1)
        return text.isAlphanumeric(end) || continues ? nil : end
    }

    /// The end of the word at `start` if a letter stands there (``nameWordEnd(_:from:)``: letters of any
    /// script, `Rivière`, `Miła`, with `-` or `'` inside).
    private static func letterWordEnd(_ text: ScalarText, from start: Int) -> Int? {
        text.isLetter(start) ? nameWordEnd(text, from: start) : nil
    }

    /// A capital and then a small letter: a name, not initials (`NW`) or one letter (`D.`).
    private static func isTitled(_ text: ScalarText, _ word: Range<Int>) -> Bool {
        text.isUppercase(word.lowerBound) && text.isAny(word.lowerBound + 1, [.lower, .otherLetter]) && !text.isUppercase(word.lowerBound + 1)
    }

    /// The key of `word` if it is one of the text's words of ASCII letters (0 otherwise).
    private static func asciiKey(_ text: ScalarText, _ word: Range<Int>) -> UInt64 {
        let index = text.firstWord(atOrAfter: word.lowerBound)
        guard index < text.words.count else { return 0 }
        let found = text.words[index]
        return found.start == word.lowerBound && found.end == word.upperBound ? found.key : 0
    }

    static let polishTypes = WordKeys(["ulica", "aleja", "plac", "osiedle"])
    static let polishAbbreviations = WordKeys(["ul", "al", "pl", "os"])
    /// The street types an address can start with (``GivenNames``' Spanish, Italian and Portuguese ones
    /// and the Polish ones) or that follow its number (the French ones): a class of ``contextWords``.
    static let streetTypesBefore = WordKeys(streetTypesBeforeName + frenchStreetTypes + polishTypes.words + polishAbbreviations.words)
}

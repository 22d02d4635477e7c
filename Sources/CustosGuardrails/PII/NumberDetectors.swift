/// Credit cards, IBANs and US social security numbers: formats confirmed by checksums or by the
/// issuing rules. Each scans the text once, left to right.
enum NumberDetectors {
    /// A run of digits starting at `start`, where single spaces or dashes may separate groups: `digit`
    /// is called with each digit's value in order, and where the run ends (after its last digit) and
    /// how many digits it has are returned. Reading stops after `maxDigits + 1` digits.
    @inline(__always)
    static func digitRun(_ text: ScalarText, from start: Int, maxDigits: Int, digit: (Int) -> Void = { _ in }) -> (end: Int, count: Int) {
        var (index, end, count) = (start, start, 0)
        while index < text.count, count <= maxDigits {
            if text.isDigit(index) {
                digit(text.digitValue(index))
                count += 1
                index += 1
                end = index
            } else if (text[index] == " " || text[index] == "-"), text.isDigit(index + 1), count > 0 {
                index += 1
            } else {
                break
            }
        }
        return (end, count)
    }

    /// Whether a single space or dash at `index` stands between two digits, as between a number's groups.
    @inline(__always) static func separatesDigits(_ text: ScalarText, at index: Int) -> Bool {
        index + 1 < text.count && (text[index] == " " || text[index] == "-") && text.isDigit(index + 1) && text.isDigit(index - 1)
    }

    /// Issuer prefixes (IIN ranges) of the card networks in use: Visa, Mastercard, American Express,
    /// Discover, JCB, Diners Club, UnionPay, Maestro, Mir, RuPay, Verve, Troy, UATP.
    static func hasCardPrefix(_ digits: [Int]) -> Bool {
        func prefix(_ n: Int) -> Int { digits.prefix(n).reduce(0) { $0 * 10 + $1 } }
        let p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6)
        if p1 == 4 { return true }  // Visa
        if (51...55).contains(p2) || (2221...2720).contains(p4) { return true }  // Mastercard
        if p2 == 34 || p2 == 37 { return true }  // American Express
        if p4 == 6011 || (644...649).contains(p3) || p2 == 65 || (622_126...622_925).contains(p6) { return true }  // Discover
        if (3528...3589).contains(p4) || p4 == 1800 || p4 == 2131 { return true }  // JCB
        if (300...305).contains(p3) || p3 == 309 || p2 == 36 || p2 == 38 || p2 == 39 { return true }  // Diners
        if p2 == 62 || p2 == 81 { return true }  // UnionPay
        if p2 == 50 || (56...69).contains(p2) { return true }  // Maestro (and RuPay 60)
        if (2200...2204).contains(p4) { return true }  // Mir
        if p3 == 508 || p3 == 353 || p3 == 356 || p2 == 82 { return true }  // RuPay
        if (506_099...506_198).contains(p6) || (650_002...650_027).contains(p6) { return true }  // Verve
        if p4 == 9792 { return true }  // Troy
        if p1 == 1 { return true }  // UATP
        return false
    }

    static let cardWords = WordKeys(["card", "credit", "visa", "mastercard", "amex", "cc", "debit", "pan"])

    static func creditCards(_ text: ScalarText, into findings: inout [Finding]) {
        guard text.census.digits >= 12 else { return }
        var resume = 0
        var digits: [Int] = []
        digits.reserveCapacity(24)
        for (index, digitsEnd) in zip(text.numberStarts, text.numberEnds) where index >= resume && !text.isAlphanumeric(index - 1) {
            // Most numbers are shorter than a card's and stand alone (no space or dash and more digits
            // after them): those are passed over without reading them again.
            guard digitsEnd - index >= 12 || separatesDigits(text, at: digitsEnd) else { continue }
            // Counted first: most other numbers are not as long as a card's either, and are not collected.
            let (end, count) = digitRun(text, from: index, maxDigits: 19)
            resume = end
            guard (12...19).contains(count), !text.isAlphanumeric(end) else { continue }
            digits.removeAll(keepingCapacity: true)
            _ = digitRun(text, from: index, maxDigits: 19) { digits.append($0) }
            guard Checksums.luhn(digits) else { continue }
            // An issuer prefix, or a card word nearby for numbers outside the assigned ranges.
            let context = text.hasContext(cardWords, around: index..<end)
            let prefix = hasCardPrefix(digits)
            guard prefix || context else { continue }
            findings.append(Finding(type: "CREDIT_CARD", start: index, end: end, score: prefix && context ? 1.0 : 0.9))
        }
    }

    /// `twoLetterWords`: where the text's words of two letters start (``ContextDetectors/Cues``).
    static func ibans(_ text: ScalarText, twoLetterWords: [Int], into findings: inout [Finding]) {
        var resume = 0
        // An IBAN starts with a word of two letters (its country) that stands alone: the words' list
        // holds those, so only words of two letters are looked at.
        for index in twoLetterWords where index >= resume && index + 4 < text.count {
            guard text.isASCIIUppercase(index), text.isASCIIUppercase(index + 1), text.isDigit(index + 2), text.isDigit(index + 3),
                !text.isAlphanumeric(index - 1)
            else { continue }
            let country = text.string(index..<index + 2)
            guard let length = Checksums.ibanLengths[country] else { continue }
            // Characters, with single spaces allowed every four (the printed form).
            var characters: [Unicode.Scalar] = []
            var cursor = index
            var end = index
            while cursor < text.count, characters.count < length {
                if text.isASCIIUppercase(cursor) || text.isDigit(cursor) {
                    characters.append(text[cursor])
                    cursor += 1
                    end = cursor
                } else if text[cursor] == " ", characters.count % 4 == 0, cursor + 1 < text.count {
                    cursor += 1
                } else {
                    break
                }
            }
            if characters.count == length, !text.isAlphanumeric(end), Checksums.ibanMod97(characters) {
                findings.append(Finding(type: "IBAN_CODE", start: index, end: end, score: 1.0))
                resume = end
            }
        }
    }

    static let ssnWords = WordKeys(["ssn", "social", "security"])
    static let ssnWordsWithAbbreviation = WordKeys(["ssn", "social", "security", "ss"])

    /// `ddd-dd-dddd` (or with spaces), or nine digits next to a context word; invalid areas (000,
    /// 666, 900–999), groups (00) and serials (0000) are rejected.
    static func usSocialSecurityNumbers(_ text: ScalarText, into findings: inout [Finding]) {
        guard text.census.digits >= 9 else { return }
        var resume = 0
        for (index, digitsEnd) in zip(text.numberStarts, text.numberEnds) where index >= resume && index + 9 <= text.count {
            // The first group of digits is the area (three digits, then a separator), or all nine; five
            // (`12345-6789`) is read to skip past it. Most numbers are none of these.
            let first = digitsEnd - index
            guard first == 3 || first == 5 || first == 9 else { continue }
            guard !text.isAlphanumeric(index - 1), index == 0 || text[index - 1] != "-" else { continue }
            // The digits as one number, and the separators (after the third or the fifth digit): how
            // many, and the first two.
            var (value, digits, cursor) = (0, 0, index)
            var separators: (count: Int, first: Unicode.Scalar, second: Unicode.Scalar) = (0, " ", " ")
            while cursor < text.count, digits < 9 {
                if text.isDigit(cursor) {
                    (value, digits) = (value * 10 + text.digitValue(cursor), digits + 1)
                    cursor += 1
                } else if digits == 3 || digits == 5, text[cursor] == "-" || text[cursor] == " " {
                    if separators.count == 0 { separators.first = text[cursor] } else { separators.second = text[cursor] }
                    separators.count += 1
                    cursor += 1
                } else {
                    break
                }
            }
            resume = cursor
            guard digits == 9, !text.isAlphanumeric(cursor), cursor >= text.count || text[cursor] != "-" else { continue }
            let formatted = separators.count == 2 && separators.first == separators.second
            guard formatted || (separators.count == 0 && text.hasContext(ssnWordsWithAbbreviation, around: index..<cursor)) else { continue }
            let (area, group, serial) = (value / 1_000_000, value / 10_000 % 100, value % 10_000)
            guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { continue }
            let context = text.hasContext(ssnWords, around: index..<cursor)
            findings.append(Finding(type: "US_SSN", start: index, end: cursor, score: context ? 1.0 : 0.85))
        }
    }
}

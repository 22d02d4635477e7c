/// US identifiers of persons and health-care providers: NPI (Luhn over the `80840` prefix), Medicare
/// beneficiary identifiers (the MBI's character rules), and passport and driver's-licence numbers,
/// which have no checksum and count only next to their context words. One pass for all four.
enum IdentityNumberDetectors {
    static let npiWords = WordKeys(["npi", "provider", "prescriber", "physician", "practitioner"])
    static let medicareWords = WordKeys(["medicare", "mbi", "beneficiary", "cms"])
    static let passportWords = WordKeys(["passport", "passports"])
    static let licenceWords = WordKeys(["driver", "drivers", "driving", "licence", "license", "dl", "dln"])

    /// All four in one pass: every standalone token of ASCII letters and digits (with inner dashes) of
    /// 5–16 characters with at least five digits (each of the four formats has them) goes to the
    /// detectors whose shape it can have.
    static func scan(_ text: ScalarText, cues: ContextDetectors.Cues, into findings: inout [Finding]) {
        guard text.census.digits >= 5 else { return }
        let families = cues.families
        forEachToken(text, gluedWords: cues.gluedWords, maxLength: 16, minimumDigits: 5) { start, end, digits, dashes in
            let length = end - start
            guard length >= 5 else { return }
            if dashes == 0, length == 10, digits == 10 { npi(text, start, end, into: &findings) }
            if length == 11 || length == 13 { medicareID(text, start, end, into: &findings) }
            if dashes == 0, length == 9, digits >= 8, families.contains(.passport) { passport(text, start, end, into: &findings) }
            if digits >= 5, families.contains(.licence) { driverLicence(text, start, end, into: &findings) }
        }
    }

    /// Ten digits starting with 1 or 2 whose Luhn check over `80840` + the digits holds (the NPI rule
    /// of 45 CFR 162.406). Without a context word a ten-digit number is as likely a phone number.
    private static func npi(_ text: ScalarText, _ start: Int, _ end: Int, into findings: inout [Finding]) {
        guard text[start] == "1" || text[start] == "2" else { return }
        let digits = [8, 0, 8, 4, 0] + (start..<end).map(text.digitValue)
        guard Checksums.luhn(digits) else { return }
        let context = text.hasContext(npiWords, around: start..<end)
        findings.append(Finding(type: "US_NPI", start: start, end: end, score: context ? 1.0 : 0.4))
    }

    /// The Medicare Beneficiary Identifier: 11 characters, `C A AN N A AN N A A N N` (C: 1–9, N: a
    /// digit, A: a letter other than S L O I B Z, AN: either), printed whole or as 4-3-4 with dashes.
    private static func medicareID(_ text: ScalarText, _ start: Int, _ end: Int, into findings: inout [Finding]) {
        // Whole (11) or 4-3-4 with dashes (13).
        let dashed = end - start == 13
        guard end - start == 11 || (dashed && text[start + 4] == "-" && text[start + 8] == "-") else { return }
        var position = 0
        for index in start..<end where !(dashed && (index == start + 4 || index == start + 8)) {
            guard isMBICharacter(text[index], at: position) else { return }
            position += 1
        }
        guard position == 11 else { return }
        let context = text.hasContext(medicareWords, around: start..<end)
        findings.append(Finding(type: "US_MBI", start: start, end: end, score: context ? 1.0 : 0.7))
    }

    /// The MBI's rule for its character at `position` (0-based): `C A AN N A AN N A A N N`.
    private static func isMBICharacter(_ scalar: Unicode.Scalar, at position: Int) -> Bool {
        let v = (0x61...0x7A).contains(scalar.value) ? scalar.value - 0x20 : scalar.value  // upper case
        let digit = (0x30...0x39).contains(v)
        // Letters other than S, L, O, I, B and Z.
        let letter = (0x41...0x5A).contains(v) && v != 0x53 && v != 0x4C && v != 0x4F && v != 0x49 && v != 0x42 && v != 0x5A
        switch position {
        case 0: return digit && v != 0x30
        case 3, 6, 9, 10: return digit
        case 1, 4, 7, 8: return letter
        default: return digit || letter
        }
    }

    /// Nine digits, or a letter and eight digits (the passport book and card formats), next to "passport".
    private static func passport(_ text: ScalarText, _ start: Int, _ end: Int, into findings: inout [Finding]) {
        guard (start + 1..<end).allSatisfy(text.isDigit), text.hasContext(passportWords, around: start..<end, distance: 30) else { return }
        findings.append(Finding(type: "US_PASSPORT", start: start, end: end, score: 0.85))
    }

    /// 5–16 letters, digits and dashes with at least five digits (state formats differ too much for
    /// more), next to a driver's-licence word.
    private static func driverLicence(_ text: ScalarText, _ start: Int, _ end: Int, into findings: inout [Finding]) {
        guard (start..<end).allSatisfy({ text.isDigit($0) || text.isASCIIUppercase($0) || text[$0] == "-" }),
            text.hasContext(licenceWords, around: start..<end, distance: 30)
        else { return }
        findings.append(Finding(type: "US_DRIVER_LICENSE", start: start, end: end, score: 0.8))
    }

    /// Calls `body` with every maximal run of ASCII letters and digits (with single dashes inside it)
    /// that stands alone (not part of a longer word), is at most `maxLength` long and holds at least
    /// `minimumDigits` digits (one or more), with how many digits and dashes it holds. Linear: each
    /// scalar is looked at a bounded number of times, by its kind (the scalar itself only for a
    /// possible dash). `gluedWords` are where the words that a letter, digit or dash follows start
    /// (``ContextDetectors/Cues``).
    private static func forEachToken(
        _ text: ScalarText, gluedWords: [Int], maxLength: Int, minimumDigits: Int,
        _ body: (_ start: Int, _ end: Int, _ digits: Int, _ dashes: Int) -> Void
    ) {
        precondition(minimumDigits >= 1)
        var resume = 0
        // A token starts with a letter (then it starts one of the text's words) or a digit (then it
        // starts a number). A word with neither a letter, a digit nor a dash after it is a whole token
        // without a digit: most words of a text, not looked at.
        for index in MergedPositions(gluedWords, text.numberStarts) where index >= resume && !text.isAlphanumeric(index - 1) {
            // A number too short that ends the token (no letter, digit or dash after it): most of a
            // text's numbers, passed over without reading them again.
            if text.isDigit(index) {
                let digitsEnd = text.digitsEnd(from: index)
                guard digitsEnd - index >= minimumDigits || text.isAny(digitsEnd, [.asciiAlphanumeric, .urlSymbol]) else { continue }
            }
            var (end, digits, dashes) = (index, 0, 0)
            while true {
                let kind = text.kind(end)
                if kind.isAny(.asciiAlphanumeric) {
                    if kind.isAny(.digit) { digits += 1 }
                } else if kind.isAny(.urlSymbol), text[end] == "-", text.isAny(end + 1, .asciiAlphanumeric), end > index {
                    dashes += 1
                } else {
                    break
                }
                end += 1
            }
            if end - index <= maxLength, digits >= minimumDigits, !text.isAlphanumeric(end) { body(index, end, digits, dashes) }
            resume = end + 1
        }
    }
}

/// Personal data with no fixed format, found where the text's own words make it likely: dates next
/// to "born"/"date of birth", street addresses (a house number, a name and a street word), and names
/// after a title or a label such as "name:" or starting with a known given name (``GivenNames``).
/// They miss what a language model would find (names not in the list, addresses abroad). One pass
/// each, bounded look-ahead.
enum ContextDetectors {
    static let birthWords = WordKeys(["born", "dob", "birth", "birthday", "birthdate"])

    /// The context words a text holds, found once so that detectors which need them can be skipped.
    struct Families: OptionSet, Sendable {
        let rawValue: UInt8
        static let birth = Families(rawValue: 1)
        static let passport = Families(rawValue: 2)
        static let licence = Families(rawValue: 4)
        /// Clinical words (``healthWords``): the text speaks of someone's health.
        static let health = Families(rawValue: 1 << 6)
    }

    /// Words that make a text about someone's health, so that the identifiers in it are protected
    /// health information (HIPAA's "individually identifiable health information"). Words that are as
    /// common outside medicine (health check, treatment plant, race condition) are not among them.
    static let healthWords = WordKeys([
        "patient", "patients", "diagnosis", "diagnosed", "diagnoses", "prognosis", "symptom", "symptoms", "prescription",
        "prescribed", "medication", "medications", "dosage", "therapy", "clinic", "clinical", "hospital", "hospitalized",
        "hospitalised", "discharged", "surgery", "surgical", "oncology", "cancer", "tumor", "tumour", "diabetes", "diabetic",
        "hiv", "hepatitis", "chemotherapy", "insulin", "radiology", "mri", "biopsy", "allergy", "allergies", "vaccination",
        "vaccinated", "pregnancy", "pregnant", "psychiatric", "psychiatrist", "depression", "mrn", "medicare", "medicaid",
        "icd", "physician", "medical", "healthcare", "pharmacy", "pathology", "illness", "disease", "infection", "antibiotics",
    ])

    /// The context words the detectors of this file look for, one probe a word: bits 0–2 are the
    /// ``Families`` (birth, passport, licence), then ``titles``, ``nameLabels``, ``months`` and, bit 6,
    /// ``healthWords`` (``Families/health``), and bit 7 the street types that begin an address or follow
    /// its number (``streetTypesBefore``).
    static let contextWords = WordKeys(
        union: [
            birthWords, IdentityNumberDetectors.passportWords, IdentityNumberDetectors.licenceWords, titles, nameLabels, months,
            healthWords, streetTypesBefore,
        ], sparseness: 16)
    static let titleClass: UInt8 = 1 << 3
    static let nameLabelClass: UInt8 = 1 << 4
    static let monthClass: UInt8 = 1 << 5
    static let streetTypeClass: UInt8 = 1 << 7

    /// What one pass over a text's ASCII words found, for the detectors that start from words: each of
    /// them then visits its own few words instead of every word of the text.
    struct Cues {
        /// Which families of context words occur anywhere.
        let families: Families
        /// The words a name may follow (a title, a label, `my`), for ``persons(_:cues:into:)``: indices
        /// into ``ScalarText/words``, in order.
        let personCues: [Int]
        /// Where the words of two letters start (an IBAN's country), in order.
        let twoLetterWords: [Int]
        /// Where the words that a letter, digit or dash follows start (a token of letters and digits),
        /// in order.
        let gluedWords: [Int]
        /// Where the months' words start, in order.
        let months: [Int]
        /// The words that are street types an address can start with or that follow its number (`Calle`,
        /// `Via`, `ulica`, `rue`), for ``continentalAddresses(_:cues:into:)``: indices into
        /// ``ScalarText/words``, in order.
        let streetTypes: [Int]
        /// The words that start with a capital and are in ``GivenNames/shipped``, for
        /// ``personsByGivenName(_:cues:into:)``: indices into ``ScalarText/words``, in order, each with
        /// its classes in the list (``GivenNames/given``, ``GivenNames/beforeSurname``).
        let givenNames: [(word: Int, classes: UInt8)]
    }

    static func cues(_ text: ScalarText) -> Cues {
        let (contextWords, myKey, names) = (contextWords, myKey, GivenNames.shipped)
        var found: UInt8 = 0
        var (personCues, gluedWords, months, streetTypes) = ([Int](), [Int](), [Int](), [Int]())
        var givenNames: [(word: Int, classes: UInt8)] = []
        // Room for a text's usual share of each (a word in 64, in 16), so that most texts allocate each
        // list once instead of growing it.
        personCues.reserveCapacity(text.words.count / 64 + 4)
        months.reserveCapacity(text.words.count / 64 + 4)
        gluedWords.reserveCapacity(text.words.count / 16 + 4)
        givenNames.reserveCapacity(text.capitalisedWords.count)
        // Every word is written to the next slot, which only a word of two letters keeps: such words
        // (of, to, in) are too common and too scattered for a branch to guess. The words and kinds are
        // read without bounds checks: a word ends at most at the text's end, and the kind there is read
        // only below it.
        let twoLetterWords = [Int](unsafeUninitializedCapacity: text.words.count) { twoLetterWords, kept in
            text.words.withUnsafeBufferPointer { words in
                text.kinds.withUnsafeBufferPointer { kinds in
                    for index in words.indices {
                        let word = words[index]
                        let classes = contextWords.classes(of: word.key)
                        found |= classes
                        if classes != 0 || word.key == myKey {
                            if classes & (titleClass | nameLabelClass) != 0 || word.key == myKey { personCues.append(index) }
                            if classes & monthClass != 0 { months.append(word.start) }
                            if classes & streetTypeClass != 0 { streetTypes.append(index) }
                        }
                        twoLetterWords.initializeElement(at: kept, to: word.start)
                        kept &+= word.end &- word.start == 2 ? 1 : 0
                        if word.end < kinds.count, kinds[word.end].isAny([.asciiAlphanumeric, .urlSymbol]) { gluedWords.append(word.start) }
                    }
                }
            }
        }
        // Only capitalised words can be names: the reader listed them.
        for index in text.capitalisedWords {
            let classes = names.classes(of: text.words[index].key)
            if classes != 0 { givenNames.append((index, classes)) }
        }
        let families = Families(rawValue: found & Families([.birth, .passport, .licence, .health]).rawValue)
        return Cues(
            families: families, personCues: personCues, twoLetterWords: twoLetterWords, gluedWords: gluedWords, months: months,
            streetTypes: streetTypes, givenNames: givenNames)
    }

    // MARK: DATE_TIME (dates of birth)

    /// A date next to a birth word: `1980-07-28`, `7/14/1995`, `14.07.1995`, `July 14, 1995`,
    /// `14 July 1995`.
    static func datesOfBirth(_ text: ScalarText, cues: Cues, into findings: inout [Finding]) {
        guard cues.families.contains(.birth) else { return }
        let months = months
        var resume = 0
        // A date starts with a number or with a month's word: other positions are not looked at.
        for index in MergedPositions(cues.months, text.numberStarts) where index >= resume && !text.isAlphanumeric(index - 1) {
            guard let end = dateEnd(text, from: index, months: months) else { continue }
            if text.hasContext(birthWords, around: index..<end, distance: 30) {
                findings.append(Finding(type: "DATE_TIME", start: index, end: end, score: 0.85))
            }
            resume = end
        }
    }

    static let months = WordKeys([
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ])

    /// The end of a date starting at `start`, if one does.
    static func dateEnd(_ text: ScalarText, from start: Int, months: WordKeys) -> Int? {
        if text.isDigit(start) {
            let (first, afterFirst) = number(text, from: start, maxDigits: 4)
            guard afterFirst > start, let separator = afterFirst < text.count ? text[afterFirst] : nil else { return nil }
            if separator == "-" || separator == "/" || separator == "." {
                let (second, afterSecond) = number(text, from: afterFirst + 1, maxDigits: 2)
                guard afterSecond > afterFirst + 1, afterSecond < text.count, text[afterSecond] == separator else { return nil }
                let (third, end) = number(text, from: afterSecond + 1, maxDigits: 4)
                guard end > afterSecond + 1, !text.isAlphanumeric(end) else { return nil }
                let digits = (afterFirst - start, end - afterSecond - 1)
                // Year first (ISO), or day and month first with a two- or four-digit year.
                let valid =
                    digits.0 == 4 ? (1...12).contains(second) && (1...31).contains(third) && digits.1 == 2
                    : (1...31).contains(first) && (1...31).contains(second) && (digits.1 == 2 || digits.1 == 4)
                return valid ? end : nil
            }
            // `14 July 1995`
            guard (1...31).contains(first), afterFirst - start <= 2, separator == " ",
                let monthEnd = month(text, from: afterFirst + 1, months: months)
            else { return nil }
            return year(text, after: monthEnd)
        }
        // `July 14, 1995`
        guard let monthEnd = month(text, from: start, months: months), monthEnd < text.count, text[monthEnd] == " " else { return nil }
        let (day, afterDay) = number(text, from: monthEnd + 1, maxDigits: 2)
        guard afterDay > monthEnd + 1, (1...31).contains(day) else { return nil }
        var cursor = afterDay
        if cursor < text.count, text[cursor] == "," { cursor += 1 }
        return year(text, after: cursor)
    }

    /// A space and a four-digit year after `index`: the end of the year.
    private static func year(_ text: ScalarText, after index: Int) -> Int? {
        guard index < text.count, text[index] == " " else { return nil }
        let (value, end) = number(text, from: index + 1, maxDigits: 4)
        guard end - index - 1 == 4, (1800...2199).contains(value), !text.isAlphanumeric(end) else { return nil }
        return end
    }

    private static func number(_ text: ScalarText, from start: Int, maxDigits: Int) -> (value: Int, end: Int) {
        var value = 0
        var index = start
        while index < text.count, index - start < maxDigits, text.isDigit(index) {
            value = value * 10 + text.digitValue(index)
            index += 1
        }
        return text.isDigit(index) ? (value, start) : (value, index)
    }

    private static func month(_ text: ScalarText, from start: Int, months: WordKeys) -> Int? {
        let (key, end) = word(text, from: start)
        guard months.contains(key) else { return nil }
        return end < text.count && text[end] == "." ? end + 1 : end
    }

    /// The ASCII word at `start` as a ``WordKeys`` key and its end.
    @inline(__always) static func word(_ text: ScalarText, from start: Int) -> (key: UInt64, end: Int) {
        WordKeys.word(text, from: start, upTo: text.count)
    }

    // MARK: STREET_ADDRESS

    static let streetWords = WordKeys([
        "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr", "court", "ct",
        "way", "place", "pl", "terrace", "ter", "circle", "cir", "parkway", "pkwy", "highway", "hwy", "square", "sq", "crescent",
        "close", "trail", "trl", "plaza", "alley", "route", "walk", "row", "loop", "pike", "run", "ridge", "view", "gardens",
    ])
    /// More of the street types of the US Postal Service's list (its Publication 28), which end a street's
    /// name after a house number as the words above do (`514 Cardenas Orchard`, `602 Becker Fork`). Not
    /// among ``streetWords``, which also tell a given name that it names a place (``GivenNames``): several
    /// are surnames (`Hill`, `Ford`). Left out: words that follow a number and a capitalised word as often
    /// outside addresses (`Union`, `Park`, `Station`, `Point`, `Field`, `Key`, `Camp`, `Green`), and
    /// `Expressway`, whose numbers are written `690/02`: the house number would be cut at the `/`.
    static let moreStreetWords = WordKeys([
        "viaduct", "orchard", "isle", "island", "islands", "fork", "forks", "ferry", "lake", "lakes", "glen", "glens", "springs",
        "mill", "mills", "crossing", "junction", "heights", "harbor", "harbour", "haven", "meadow", "meadows", "summit", "turnpike",
        "valley", "villages", "vista", "wells", "bypass", "causeway", "freeway", "grove", "estates", "falls",
        "ford", "fords", "forest", "gateway", "inlet", "knolls", "landing", "manor", "motorway", "mountain", "mountains", "overpass",
        "plains", "prairie", "ranch", "rapids", "river", "shoals", "shore", "shores", "stravenue", "stream", "throughway",
        "tunnel", "underpass", "vale", "mews", "rise", "cove", "creek", "brook", "brooks", "bridge", "bluff", "bluffs", "canyon",
        "cliffs", "corners", "curve", "dale", "hollow", "locks", "lodge", "pines", "ramp", "ridges", "skyway", "squares", "trace",
        "trafficway", "ville", "hill", "hills", "fields", "flats", "extension", "crest", "dam", "divide", "neck", "village",
        "roads",
    ])
    static let streetEnds = WordKeys(union: [streetWords, moreStreetWords])
    static let addressWords = WordKeys(["address", "lives", "live", "located", "ship", "deliver", "mail"])
    static let unitWords = WordKeys(["apt", "apartment", "suite", "ste", "unit", "floor", "fl", "room", "rm"])

    /// A house number (1–6 digits, optionally a letter), one to four words starting with a capital, and
    /// a street word (Street, Ave, Road…); then an optional unit (`Apt. 4`, `Suite 274`).
    static func streetAddresses(_ text: ScalarText, into findings: inout [Finding]) {
        var resume = 0
        for (index, digitsEnd) in zip(text.numberStarts, text.numberEnds) where index >= resume && !text.isAlphanumeric(index - 1) {
            guard let end = addressEnd(text, from: index, digitsEnd: digitsEnd) else { continue }
            let context = text.hasContext(addressWords, around: index..<end)
            findings.append(Finding(type: "STREET_ADDRESS", start: index, end: end, score: context ? 0.9 : 0.75))
            resume = end
        }
    }

    /// The end of a street address whose house number is the digits from `start` to `digitsEnd`.
    private static func addressEnd(_ text: ScalarText, from start: Int, digitsEnd: Int) -> Int? {
        // A house number has six digits at most.
        guard digitsEnd - start <= 6 else { return nil }
        var cursor = digitsEnd
        if text.isASCIILetter(cursor), !text.isASCIILetter(cursor + 1) { cursor += 1 }  // 221B
        var words = 0
        while words < 5 {
            guard cursor + 1 < text.count, text[cursor] == " ", text.isUppercase(cursor + 1) else { return nil }
            let (key, end) = word(text, from: cursor + 1)
            guard end > cursor + 1 else { return nil }
            if words > 0, streetEnds.contains(key) {
                var finish = end < text.count && text[end] == "." ? end + 1 : end
                guard !text.isAlphanumeric(finish) else { return nil }
                finish = unitEnd(text, after: finish) ?? finish
                return finish
            }
            words += 1
            cursor = end
        }
        return nil
    }

    /// `, Apt. 4` / ` Suite 274` after an address: the end of the unit.
    static func unitEnd(_ text: ScalarText, after index: Int) -> Int? {
        var cursor = index
        if cursor < text.count, text[cursor] == "," { cursor += 1 }
        guard cursor < text.count, text[cursor] == " " else { return nil }
        let (key, end) = word(text, from: cursor + 1)
        guard unitWords.contains(key) else { return nil }
        cursor = end < text.count && text[end] == "." ? end + 1 : end
        if cursor < text.count, text[cursor] == " " { cursor += 1 }
        let unitStart = cursor
        while cursor < text.count, text.isAlphanumeric(cursor), cursor - unitStart < 6 { cursor += 1 }
        return cursor > unitStart && !text.isAlphanumeric(cursor) ? cursor : nil
    }

    // MARK: PERSON

    static let titles = WordKeys(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame"])
    static let nameLabels = WordKeys(["name", "patient", "signed", "sincerely", "regards", "attn", "attention", "contact"])
    static let nameKey = WordKeys.key("name")
    static let myKey = WordKeys.key("my")
    static let isKey = WordKeys.key("is")

    /// One to three capitalised words after a title (`Mr.`, `Dr`, …) or a label (`Name:`, `Patient:`,
    /// `my name is`, `Sincerely,`): the words of `cues` (``Cues/personCues``) are the only candidates.
    static func persons(_ text: ScalarText, cues: [Int], into findings: inout [Finding]) {
        let (contextWords, myKey, nameKey, isKey) = (contextWords, myKey, nameKey, isKey)
        for word in cues.lazy.map({ text.words[$0] }) {
            let (key, end) = (word.key, word.end)
            let classes = contextWords.classes(of: key)
            guard classes & (titleClass | nameLabelClass) != 0 || key == myKey else { continue }
            var cursor = end
            let score: Double
            if classes & titleClass != 0 {
                if cursor < text.count, text[cursor] == "." { cursor += 1 }
                score = 0.85
            } else if classes & nameLabelClass != 0, cursor < text.count, text[cursor] == ":" || text[cursor] == "," {
                cursor += 1
                score = 0.75
            } else if key == myKey, end + 1 < text.count, text[end] == " ", Self.word(text, from: end + 1).key == nameKey {
                // `my name is`
                let afterName = Self.word(text, from: end + 1).end
                guard afterName + 1 < text.count, text[afterName] == " " else { continue }
                let (verb, afterVerb) = Self.word(text, from: afterName + 1)
                guard verb == isKey else { continue }
                cursor = afterVerb
                score = 0.8
            } else {
                continue
            }
            guard let (nameStart, nameEnd) = capitalisedWords(text, after: cursor) else { continue }
            findings.append(Finding(type: "PERSON", start: nameStart, end: nameEnd, score: score))
        }
    }

    /// One to three words after `index` (past spaces) that each start with a capital and go on in
    /// lower case (`Anne-Marie`, `O'Neil` included).
    private static func capitalisedWords(_ text: ScalarText, after index: Int) -> (Int, Int)? {
        var cursor = index
        while cursor < text.count, text[cursor] == " ", cursor - index < 3 { cursor += 1 }
        let start = cursor
        var end: Int?
        for _ in 0..<3 {
            guard cursor < text.count, text.isUppercase(cursor) else { break }
            let wordEnd = nameWordEnd(text, from: cursor)
            guard wordEnd - cursor >= 2, !text.isDigit(wordEnd) else { break }
            end = wordEnd
            guard wordEnd + 1 < text.count, text[wordEnd] == " ", text.isUppercase(wordEnd + 1) else { break }
            cursor = wordEnd + 1
        }
        return end.map { (start, $0) }
    }

    /// The end of the word of a name starting at `start`: letters of any script, with a `-` or `'`
    /// between two of them (`Anne-Marie`, `O'Neil`), at most 24 scalars.
    static func nameWordEnd(_ text: ScalarText, from start: Int) -> Int {
        var end = start + 1
        while end < text.count, end - start < 24,
            text.isLetter(end) || ((text[end] == "-" || text[end] == "'") && text.isLetter(end + 1))
        {
            end += 1
        }
        return end
    }
}

import Foundation

/// Given names from the US Census Bureau's 1990 lists (`Resources/given-names.txt`, written by
/// `Scripts/given_names.py`; provenance in docs/GUARDRAILS.md), for finding names that no title or
/// label announces. Every capitalised word of a text is looked up, so the table of about 4,900 names
/// (too large for the fastest cache) is guarded by a 64 Ki-bit filter that rules out most other
/// words with one cached load.
struct GivenNames: Sendable {
    let table: WordKeys
    /// Bit `h` set when a name's key hashes to `h` (the top 16 bits of a multiplicative hash).
    private let filter: [UInt64]

    init(_ table: WordKeys) {
        var filter = [UInt64](repeating: 0, count: 1 << 10)
        for word in table.words {
            let bit = Self.filterBit(WordKeys.key(word))
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        (self.table, self.filter) = (table, filter)
    }

    @inline(__always) private static func filterBit(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0xC2B2_AE3D_27D4_EB4F) &>> 48)
    }

    /// ``given``, ``beforeSurname`` or 0, as ``WordKeys/classes(of:)``.
    @inline(__always) func classes(of key: UInt64) -> UInt8 {
        let bit = Self.filterBit(key)
        guard filter.withUnsafeBufferPointer({ $0[bit &>> 6] }) &>> UInt64(bit & 63) & 1 != 0 else { return 0 }
        return table.classes(of: key)
    }

    /// A name that is no English word (`Sarah`, `Kira`): a name alone or before a surname.
    static let given: UInt8 = 1
    /// A name that is also an English word (`John`, `Grace`, `Frank`): a name only before a surname.
    static let beforeSurname: UInt8 = 2

    /// The shipped list. Without it (a broken build) names are found only after a title or label, as
    /// before the list existed; a test checks that it loads.
    static let shipped: GivenNames = {
        guard let url = Bundle.module.url(forResource: "given-names", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return parse("") }
        return parse(text)
    }()

    /// The list's format: one lower-case name a line, `#` lines are comments, and the names after the
    /// line `[before a surname]` are ``beforeSurname``. Lines that are not 1–12 lower-case ASCII letters
    /// are skipped.
    static func parse(_ text: String) -> GivenNames {
        var classes: [[String]] = [[], []]
        var section = 0
        for line in text.split(separator: "\n") {
            let name = line.trimmingCharacters(in: .whitespaces)
            if name == "[before a surname]" {
                section = 1
            } else if (1...WordKeys.longestWord).contains(name.utf8.count), name.utf8.allSatisfy({ (0x61...0x7A).contains($0) }) {
                classes[section].append(name)
            }
        }
        // About 4,900 names: four slots a name keep the table near 150 KB.
        return GivenNames(WordKeys(classes: classes, sparseness: 4))
    }

    /// Given names that are also places a text names on its own (`Georgia`, `Charlotte`, `France`):
    /// they count only before a surname.
    static let places = WordKeys([
        "georgia", "virginia", "carolina", "dakota", "florida", "florence", "paris", "sydney", "austin", "dallas", "houston",
        "denver", "lincoln", "charlotte", "madison", "savannah", "phoenix", "chelsea", "jordan", "india", "kenya", "israel",
        "france", "germany", "german", "italy", "china", "asia", "africa", "america", "american", "european", "europe",
        "london", "berlin", "vienna", "victoria", "alberta", "regina", "orlando", "augusta", "columbia", "cleveland", "camden",
        "trenton", "eugene", "salem", "aurora", "tyler", "marion", "troy", "ireland", "holland", "britain", "scotland",
    ])

    /// Words after a given name that make it part of a place or an organisation (`Gordon Terrace`,
    /// `Shelly Park`, `Russell Bank`), not a person.
    static let notSurnames = WordKeys(union: [
        ContextDetectors.streetWords,
        WordKeys([
            "park", "inc", "ltd", "llc", "corp", "co", "company", "group", "university", "college", "school", "hospital", "bank",
            "church", "island", "river", "lake", "mount", "hill", "hills", "valley", "county", "city", "state", "center",
            "centre", "airport", "station", "hotel",
            // Firms' suffixes and words (`Johnson LLC`, `Wallace PLC`, `Santos Lda.`, `Morgan Partners`).
            "plc", "llp", "lp", "lda", "ltda", "gmbh", "ag", "kg", "sarl", "sas", "sa", "srl", "spa", "sl", "bv", "nv", "pty",
            "oy", "ab", "partners", "associates", "holdings", "industries", "enterprises", "brothers", "bros", "sons",
        ]),
    ])
}

extension ContextDetectors {
    /// `PERSON` from a given name: the capitalised words of `cues` (``Cues/givenNames``: the names of
    /// the list, with their classes there, looked up once), with the capitalised word after them (a
    /// middle initial may stand between: `John A. Leiva`, `Kira N Östberg`), 0.7; a name that is no English word and no place may also
    /// stand alone (`Sarah,`), 0.6. A word joined to another by a dash or an apostrophe (`Valentine-Murray`,
    /// `O'Neil`) is not a given name, and neither is one before a street or organisation word.
    static func personsByGivenName(_ text: ScalarText, cues: [(word: Int, classes: UInt8)], into findings: inout [Finding]) {
        let (places, names) = (GivenNames.places, GivenNames.shipped)
        var resume = 0
        for (index, classes) in cues where text.words[index].start >= resume {
            let word = text.words[index]
            guard isTitleCase(text, word.start + 1..<word.end), !isJoined(text, word) else { continue }
            // A member of a firm's name written as a list of surnames: nothing of it is a person's.
            if let end = firmListEnd(text, index, names: names) {
                resume = end
                continue
            }
            if namesAStreet(text, index) {
                // The street's name goes on with the capitalised word after it (`Victor Hugo`).
                if case .surname(let end) = follower(text, after: word.end, shortest: 2) { resume = end }
                continue
            }
            switch follower(text, after: word.end, shortest: classes & GivenNames.given != 0 ? 2 : 3) {
            case .surname(let end):
                findings.append(Finding(type: "PERSON", start: word.start, end: end, score: 0.7))
                resume = end
            case .none where classes & GivenNames.given != 0 && !places.contains(word.key):
                findings.append(Finding(type: "PERSON", start: word.start, end: word.end, score: 0.6))
            case .none, .placeWord:
                continue
            }
        }
    }

    private static let (sonsKey, coKey) = (WordKeys.key("sons"), WordKeys.key("co"))
    private static let firmLinks = [" and ", " & "]

    private enum Follower {
        case none
        /// A street or organisation word: the name is part of a place's.
        case placeWord
        case surname(end: Int)
    }

    /// What follows a given name ending at `index`: a capitalised word of at least `shortest` letters
    /// (any script; `-` and `'` inside), past an optional middle initial.
    private static func follower(_ text: ScalarText, after index: Int, shortest: Int) -> Follower {
        var cursor = index
        // `A.` or `A` between the names.
        if cursor + 2 < text.count, text[cursor] == " ", text.isASCIIUppercase(cursor + 1), text[cursor + 2] == "." || text[cursor + 2] == " " {
            cursor += text[cursor + 2] == "." ? 3 : 2
        }
        guard cursor + 1 < text.count, text[cursor] == " " else { return .none }
        guard text.isUppercase(cursor + 1) else {
            // `and Sons`, `& Co.`: a firm.
            for link in firmLinks where SecretDetectors.hasPrefix(text, link, at: cursor) {
                let (key, _) = word(text, from: cursor + link.utf8.count)
                if text.isASCIIUppercase(cursor + link.utf8.count), key == sonsKey || key == coKey { return .placeWord }
            }
            return .none
        }
        let start = cursor + 1
        let end = nameWordEnd(text, from: start)
        // Looked up before the word's case is: `LLC` and `PLC` are written in capitals.
        let (key, asciiEnd) = word(text, from: start)
        if asciiEnd == end, GivenNames.notSurnames.contains(key) { return .placeWord }
        guard end - start >= shortest, !text.isDigit(end), isTitleCase(text, start + 1..<end) else { return .none }
        return .surname(end: end)
    }

    /// Whether the given name that is word `index` names a street: right after a house number
    /// (`364 Michael Cross`, `58j Joe Villages`, `690/02 David Expressway`; not a year such as
    /// `In 2019 Sarah`), or after a street type written first (`Calle de Regina Contreras`,
    /// `boulevard Paul`, `Via Lupe Santiago`).
    private static func namesAStreet(_ text: ScalarText, _ index: Int) -> Bool {
        let start = text.words[index].start
        guard start >= 2, text[start - 1] == " " else { return false }
        // The house number: digits (with a letter, or one `/` and more digits), after a space, a line
        // break, a comma or nothing (so not the end of a date, a phone number or a year).
        var cursor = start - 2
        if text.isASCIILetter(cursor), text.isDigit(cursor - 1) { cursor -= 1 }
        if text.isDigit(cursor) {
            var (first, slashes) = (cursor, 0)
            while first > 0, text.isDigit(first - 1) || (slashes == 0 && text[first - 1] == "/" && text.isDigit(first - 2)) {
                slashes += text[first - 1] == "/" ? 1 : 0
                first -= 1
            }
            let length = cursor - first + 1
            let year = length == 4 && (text[first] == "1" && text[first + 1] == "9" || text[first] == "2" && text[first + 1] == "0")
            let standing = first == 0 || text[first - 1] == " " || text[first - 1] == "\n" || text[first - 1] == "\t" || text[first - 1] == ","
            return !year && length <= 9 && standing
        }
        // The street type, perhaps with a linking word (`de`, `del`, `di`, `da`, `do`, `la`) between.
        var before = index - 1
        guard before >= 0, text.words[before].end == start - 1 else { return false }
        if streetLinks.contains(text.words[before].key), before > 0, text.words[before - 1].end == text.words[before].start - 1 {
            before -= 1
        }
        let classes = streetTypesFirst.classes(of: text.words[before].key)
        return classes & 1 != 0 && text.isASCIIUppercase(text.words[before].start) || classes & 2 != 0
    }

    /// Where the firm's name ends if the given name that is word `index` is one of three capitalised
    /// words written `A, B and C` (or `A, B & C`) whose other two are not given names: Faker's and many
    /// real firms' way of joining partners' surnames (`Novak, Shannon and Fischer`, `Lopez, Santos &
    /// Coleman`). Three given names so joined (`Anna, Maria and John`) are people, and stay so.
    private static func firmListEnd(_ text: ScalarText, _ index: Int, names: GivenNames) -> Int? {
        let words = text.words
        // Most names have none of `,` after them, `, ` before them or `and ` / `& ` before them.
        let (start, end) = (words[index].start, words[index].end)
        let before = start >= 2 ? text[start - 2] : " "
        guard end < text.count && text[end] == "," || before == "," || before == "&" || before == "d" else { return nil }
        // The member after word `member` across a comma, or across `and` or `&`.
        func next(_ member: Int, comma: Bool) -> Int? {
            guard member + 1 < words.count else { return nil }
            let (end, following) = (words[member].end, words[member + 1])
            if comma { return following.start == end + 2 && text[end] == "," && text[end + 1] == " " ? member + 1 : nil }
            if following.start == end + 3, text[end] == " ", text[end + 1] == "&", text[end + 2] == " " { return member + 1 }
            guard following.key == andKey, following.start == end + 1, text[end] == " ", member + 2 < words.count,
                words[member + 2].start == following.end + 1, text[following.end] == " "
            else { return nil }
            return member + 2
        }
        // The first member of a list the name is in, as the first, second or third member (two words
        // before it, or three with `and` between).
        func third(from first: Int) -> Int? { first >= 0 ? next(first, comma: true).flatMap { next($0, comma: false) } : nil }
        let first: Int? =
            if third(from: index) != nil { index }
            else if index >= 1, next(index - 1, comma: true) == index, next(index, comma: false) != nil { index - 1 }
            else if third(from: index - 2) == index { index - 2 }
            else if third(from: index - 3) == index { index - 3 }
            else { nil }
        guard let first, let second = next(first, comma: true), let third = next(second, comma: false) else { return nil }
        func fits(_ member: Int) -> Bool {
            let word = words[member]
            return text.isASCIIUppercase(word.start) && isTitleCase(text, word.start + 1..<word.end)
                && (member == index || names.classes(of: word.key) == 0)
        }
        return fits(first) && fits(second) && fits(third) ? words[third].end : nil
    }

    private static let andKey = WordKeys.key("and")

    /// Street types that stand before the name: class 0, written with a capital in Spanish, Italian and
    /// Portuguese addresses (and some, such as `via`, English words in lower case); class 1, French ones,
    /// in lower case too (`12, rue Victor Hugo`). Not `place`: "the place Sarah chose".
    static let streetTypesFirst = WordKeys(classes: [streetTypesBeforeName, frenchStreetTypes])
    static let streetTypesBeforeName = [
        "calle", "avenida", "paseo", "plaza", "camino", "carrera", "alameda", "acceso", "ronda", "rambla", "carrer", "rua",
        "travessa", "via", "viale", "piazza", "corso", "strada", "vicolo", "largo", "av", "rotonda", "contrada", "borgo",
        "stretto", "canale", "incrocio", "glorieta", "cuesta", "pasaje", "pasadizo", "vial",
    ]
    static let frenchStreetTypes = ["rue", "avenue", "boulevard", "chemin", "impasse", "allee", "quai", "cours"]
    static let streetLinks = WordKeys(["de", "del", "di", "da", "do", "dos", "das", "la", "le", "des"])

    /// No capital in `range` except right after a dash or an apostrophe (`Anne-Marie`, `O'Neil`).
    private static func isTitleCase(_ text: ScalarText, _ range: Range<Int>) -> Bool {
        range.allSatisfy { !text.isUppercase($0) || text[$0 - 1] == "-" || text[$0 - 1] == "'" }
    }

    /// Joined to the word before by a dash or apostrophe, or to a letter or digit after it (`Jo` of
    /// `Jožef`, `Sarah2`), or by a dash to the word after.
    private static func isJoined(_ text: ScalarText, _ word: Word) -> Bool {
        let before = word.start > 0 ? text[word.start - 1] : " "
        return before == "-" || (before == "'" && text.isLetter(word.start - 2)) || text.isAlphanumeric(word.end)
            || (word.end < text.count && text[word.end] == "-" && text.isLetter(word.end + 1))
    }
}

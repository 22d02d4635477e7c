#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Credentials by their published formats, plus high-entropy strings next to a context word. Every
/// rule is a literal prefix followed by a bounded run of an allowed alphabet: one pass, no backtracking.
enum SecretDetectors {
    /// The characters a token's body may hold.
    struct Alphabet {
        let kinds: ScalarKind

        static let alphanumeric = Alphabet(kinds: .asciiAlphanumeric)
        static let upperAlphanumeric = Alphabet(kinds: [.digit, .upper])
        static let base64URL = Alphabet(kinds: [.digit, .upper, .lower, .urlSymbol])
        static let base64 = Alphabet(kinds: [.digit, .upper, .lower, .base64Symbol])

        @inline(__always) func contains(_ text: ScalarText, _ index: Int) -> Bool { text.isAny(index, kinds) }
    }

    struct Rule {
        let type: String
        /// The literal prefix's bytes (ASCII).
        let prefix: [UInt8]
        let alphabet: Alphabet
        let length: ClosedRange<Int>

        init(type: String, prefix: String, alphabet: Alphabet, length: ClosedRange<Int>) {
            (self.type, self.prefix, self.alphabet, self.length) = (type, Array(prefix.utf8), alphabet, length)
        }
    }

    /// Published token formats (the part after the prefix and its length).
    static let rules: [Rule] = [
        Rule(type: "AWS_ACCESS_KEY_ID", prefix: "AKIA", alphabet: .upperAlphanumeric, length: 16...16),
        Rule(type: "AWS_ACCESS_KEY_ID", prefix: "ASIA", alphabet: .upperAlphanumeric, length: 16...16),
        Rule(type: "GITHUB_TOKEN", prefix: "ghp_", alphabet: .alphanumeric, length: 36...255),
        Rule(type: "GITHUB_TOKEN", prefix: "gho_", alphabet: .alphanumeric, length: 36...255),
        Rule(type: "GITHUB_TOKEN", prefix: "ghu_", alphabet: .alphanumeric, length: 36...255),
        Rule(type: "GITHUB_TOKEN", prefix: "ghs_", alphabet: .alphanumeric, length: 36...255),
        Rule(type: "GITHUB_TOKEN", prefix: "ghr_", alphabet: .alphanumeric, length: 36...255),
        Rule(type: "GITHUB_TOKEN", prefix: "github_pat_", alphabet: .base64URL, length: 22...255),
        Rule(type: "GITLAB_TOKEN", prefix: "glpat-", alphabet: .base64URL, length: 20...255),
        Rule(type: "SLACK_TOKEN", prefix: "xoxb-", alphabet: .base64URL, length: 10...255),
        Rule(type: "SLACK_TOKEN", prefix: "xoxp-", alphabet: .base64URL, length: 10...255),
        Rule(type: "SLACK_TOKEN", prefix: "xoxa-", alphabet: .base64URL, length: 10...255),
        Rule(type: "SLACK_TOKEN", prefix: "xoxr-", alphabet: .base64URL, length: 10...255),
        Rule(type: "SLACK_TOKEN", prefix: "xoxs-", alphabet: .base64URL, length: 10...255),
        Rule(type: "SLACK_WEBHOOK", prefix: "https://hooks.slack.com/services/", alphabet: .base64, length: 20...255),
        Rule(type: "STRIPE_KEY", prefix: "sk_live_", alphabet: .alphanumeric, length: 16...255),
        Rule(type: "STRIPE_KEY", prefix: "rk_live_", alphabet: .alphanumeric, length: 16...255),
        Rule(type: "STRIPE_KEY", prefix: "sk_test_", alphabet: .alphanumeric, length: 16...255),
        Rule(type: "ANTHROPIC_API_KEY", prefix: "sk-ant-", alphabet: .base64URL, length: 32...255),
        Rule(type: "OPENAI_API_KEY", prefix: "sk-proj-", alphabet: .base64URL, length: 32...255),
        Rule(type: "OPENAI_API_KEY", prefix: "sk-svcacct-", alphabet: .base64URL, length: 32...255),
        Rule(type: "OPENAI_API_KEY", prefix: "sk-", alphabet: .alphanumeric, length: 32...255),
        Rule(type: "GCP_API_KEY", prefix: "AIza", alphabet: .base64URL, length: 35...35),
        Rule(type: "AZURE_STORAGE_KEY", prefix: "AccountKey=", alphabet: .base64, length: 80...100),
    ]

    /// For each ASCII first character, the rules whose prefix starts with it (built once).
    static let rulesByFirstCharacter: [[Rule]] = {
        var table = [[Rule]](repeating: [], count: 128)
        for rule in rules { table[Int(rule.prefix[0])].append(rule) }
        return table
    }()

    /// For each ASCII first character, the second characters of the prefixes that start with it (bit
    /// `c` for character `c`): most words are dropped by their first two characters alone.
    static let secondCharacters: [UInt128] = {
        var table = [UInt128](repeating: 0, count: 128)
        for rule in rules {
            precondition(rule.prefix.count >= 2 && rule.prefix[1] < 128)
            table[Int(rule.prefix[0])] |= 1 << UInt128(rule.prefix[1])
        }
        return table
    }()

    /// The first characters of the prefixes, and `e` (a JWT's `eyJ`): the text's reader lists the anchors
    /// at these (``ScalarText/tokenAnchors``), the only ones ``tokens(_:into:)`` visits.
    static let firstCharacters: Set<Unicode.Scalar> = Set(rules.map { Unicode.Scalar($0.prefix[0]) } + ["e"])

    /// The published token formats (``rules``) and JWTs, in one walk over the anchors at their first
    /// characters (each kept apart: a token is not looked for inside a token, nor a JWT inside a JWT).
    static func tokens(_ text: ScalarText, into findings: inout [Finding]) {
        let (rulesByFirstCharacter, secondCharacters) = (rulesByFirstCharacter, secondCharacters)
        var (resume, jwtResume) = (0, 0)
        for index in text.tokenAnchors where index + 1 < text.count {
            if text[index] == "e" {
                if index >= jwtResume, hasPrefix(text, "eyJ", at: index), !Alphabet.base64URL.contains(text, index - 1) {
                    jwtResume = jwt(text, at: index, into: &findings)
                }
                continue
            }
            let (value, second) = (Int(text[index].value), text[index + 1].value)
            guard index >= resume, second < 128, secondCharacters[value] &>> UInt128(second) & 1 != 0,
                !Alphabet.base64URL.contains(text, index - 1) || text[index] == "A"
            else { continue }
            for rule in rulesByFirstCharacter[value] where hasPrefix(text, rule.prefix, at: index) {
                let bodyStart = index + rule.prefix.count
                var end = bodyStart
                while end < text.count, end - bodyStart <= rule.length.upperBound, rule.alphabet.contains(text, end) { end += 1 }
                guard rule.length.contains(end - bodyStart) else { continue }
                findings.append(Finding(type: rule.type, start: index, end: end, score: 1.0))
                resume = end
                break
            }
        }
    }

    /// Whether the ASCII `prefix` starts at `index`.
    static func hasPrefix(_ text: ScalarText, _ prefix: String, at index: Int) -> Bool {
        hasPrefix(text, prefix.utf8, at: index)
    }

    @inline(__always)
    static func hasPrefix(_ text: ScalarText, _ prefix: some Collection<UInt8>, at index: Int) -> Bool {
        var cursor = index
        for byte in prefix {
            guard cursor < text.count, text[cursor].value == UInt32(byte) else { return false }
            cursor += 1
        }
        return true
    }

    /// `-----BEGIN … PRIVATE KEY-----` to its `-----END … PRIVATE KEY-----` (or the end of the text).
    static func privateKeys(_ text: ScalarText, into findings: inout [Finding]) {
        var resume = 0
        for index in text.markAnchors where index >= resume && text[index] == "-" && hasPrefix(text, "-----BEGIN ", at: index) {
            var header = index + 11
            while header < text.count, header - index < 60, text[header] != "-" { header += 1 }
            let label = text.string(index + 11..<header)
            guard label.hasSuffix("PRIVATE KEY") else { continue }
            var end = header
            while end < text.count, !(text[end] == "-" && hasPrefix(text, "-----END ", at: end)) { end += 1 }
            if end < text.count {
                end += 9
                while end < text.count, text[end] != "\n", end - index < 100_000 {
                    if hasPrefix(text, "-----", at: end) {
                        end += 5
                        break
                    }
                    end += 1
                }
            }
            findings.append(Finding(type: "PRIVATE_KEY", start: index, end: min(end, text.count), score: 1.0))
            resume = end
        }
    }

    /// `eyJ….eyJ….<signature>` at `index` (where `eyJ` starts after no base64url character): a JWS whose
    /// header and payload are base64url JSON objects. Returns where the run read ends, found or not.
    private static func jwt(_ text: ScalarText, at index: Int, into findings: inout [Finding]) -> Int {
        var end = index
        var parts = 1
        var partLength = 0
        var valid = true
        while end < text.count {
            let s = text[end]
            if Alphabet.base64URL.contains(text, end) {
                partLength += 1
            } else if s == "." {
                guard partLength > 0, parts < 3 else { break }
                if parts == 1, !hasPrefix(text, "eyJ", at: end + 1) { valid = false }
                parts += 1
                partLength = 0
            } else {
                break
            }
            end += 1
        }
        if valid, parts == 3, partLength >= 16 {
            findings.append(Finding(type: "JWT", start: index, end: end, score: 1.0))
        }
        return end
    }

    /// `scheme://user:password@host…`: the credentials of a connection string or URL.
    static func connectionStrings(_ text: ScalarText, into findings: inout [Finding]) {
        var resume = 0
        for index in text.markAnchors where index >= resume && index + 3 < text.count && text[index] == ":" && hasPrefix(text, "://", at: index) {
            var schemeStart = index
            while schemeStart > 0, index - schemeStart < 20,
                Alphabet.alphanumeric.contains(text, schemeStart - 1) || text[schemeStart - 1] == "+"
            {
                schemeStart -= 1
            }
            var cursor = index + 3
            var colon: Int?
            while cursor < text.count, cursor - index < 300 {
                let s = text[cursor]
                if s == "@" { break }
                if s == "/" || s == " " || s == "\n" || s == "\"" || s == "'" { cursor = text.count; break }
                if s == ":", colon == nil { colon = cursor }
                cursor += 1
            }
            if schemeStart < index, let colon, cursor < text.count, text[cursor] == "@", colon + 1 < cursor {
                findings.append(Finding(type: "CONNECTION_STRING", start: schemeStart, end: cursor, score: 1.0))
                resume = cursor
            } else {
                resume = index + 3
            }
        }
    }

    static let secretContext = WordKeys([
        "secret", "token", "apikey", "api", "key", "password", "passwd", "pwd", "credential", "credentials", "auth",
        "bearer", "private",
    ])

    /// Strings of 20+ base64-alphabet characters with at least 4 bits of entropy per character, when a
    /// context word (secret, token, password, api key, …) is just before them.
    static func highEntropy(_ text: ScalarText, covered findingsSoFar: [Finding], into findings: inout [Finding]) {
        guard !text.census.runs.isEmpty else { return }
        let covered = Coverage(findingsSoFar)
        let runKinds = Alphabet.base64.kinds.union(.urlSymbol)
        var resume = 0
        // Only the long runs the census lists can hold one.
        for run in text.census.runs {
            for index in run
            where index >= resume && Alphabet.base64.contains(text, index) && !Alphabet.base64.contains(text, index - 1)
                && text.isAnchor(index)
            {
                var end = index
                while end < text.count, end - index < 512, text.isAny(end, runKinds) {
                    end += 1
                }
                resume = end
                guard end - index >= shortestRun, !covered.overlaps(index, end) else { continue }
                guard (index..<end).contains(where: text.isDigit), (index..<end).contains(where: text.isASCIILetter),
                    entropy(text.scalars[index..<end]) >= 4.0, text.hasContext(secretContext, around: index..<index, distance: 24)
                else { continue }
                findings.append(Finding(type: "GENERIC_SECRET", start: index, end: end, score: 0.8))
            }
        }
    }

    /// The fewest characters of a generic high-entropy secret.
    static let shortestRun = 20

    /// Shannon entropy in bits per character of an ASCII run.
    static func entropy(_ run: ArraySlice<Unicode.Scalar>) -> Double {
        var counts = [Int](repeating: 0, count: 128)
        for s in run { counts[Int(s.value & 0x7F)] += 1 }
        let total = Double(run.count)
        return counts.reduce(0) { sum, n in
            guard n > 0 else { return sum }
            let p = Double(n) / total
            return sum - p * log2(p)
        }
    }
}

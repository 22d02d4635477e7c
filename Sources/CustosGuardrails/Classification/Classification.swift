/// The finding types the detectors report, by kind: a rule that names a type outside these is a typo
/// and is refused rather than silently matching nothing.
public enum FindingTypes {
    /// Personal data, by Presidio's entity names.
    public static let personalData: Set<String> = [
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "US_NPI", "US_MBI",
        "US_PASSPORT", "US_DRIVER_LICENSE", "DATE_TIME", "STREET_ADDRESS", "PERSON",
    ]
    /// Credentials, by provider or format.
    public static let secrets: Set<String> = [
        "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN", "GITLAB_TOKEN", "SLACK_TOKEN", "SLACK_WEBHOOK", "STRIPE_KEY",
        "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GCP_API_KEY", "AZURE_STORAGE_KEY", "PRIVATE_KEY", "JWT",
        "CONNECTION_STRING", "GENERIC_SECRET",
    ]
    public static let all = personalData.union(secrets)
}

/// Which labels a finding carries: `pii` for personal data and `secret` for credentials, the built-in
/// extras (a Medicare identifier is always `phi`; any identifier of a person in a text about health
/// is too), and any a deployment adds per type (an IBAN as `confidential`, say).
public struct Classification: Hashable, Sendable {
    /// Labels added per finding type, beyond the kind's own.
    public private(set) var extraLabels: [String: Set<DataLabel>]

    /// Identifiers that make a text protected health information.
    public static let builtIn = Classification(extraLabels: ["US_MBI": [.phi]])

    private init(extraLabels: [String: Set<DataLabel>]) {
        self.extraLabels = extraLabels
    }

    /// The built-in classification with `extra` added; types outside ``FindingTypes/all`` are refused.
    public static func builtIn(adding extra: [String: Set<DataLabel>]) throws(RedactionRulesError) -> Classification {
        var classification = Classification.builtIn
        for (type, labels) in extra.sorted(by: { $0.key < $1.key }) {
            guard FindingTypes.all.contains(type) else { throw .unknownType(type, at: "classification.\(type)") }
            classification.extraLabels[type, default: []].formUnion(labels)
        }
        return classification
    }

    /// A personal-data finding's labels: `pii`, the extras of its type, and `phi` when the text speaks of
    /// someone's health (``ScanResult/healthContext``) and the finding identifies a person: every
    /// personal-data type but `US_NPI`, which identifies a provider.
    public func labels(ofPersonalData finding: Finding, healthContext: Bool = false) -> Set<DataLabel> {
        let health: Set<DataLabel> = healthContext && Self.identifiesPatient(finding) ? [.pii, .phi] : [.pii]
        return extraLabels[finding.type, default: []].union(health)
    }

    static func identifiesPatient(_ finding: Finding) -> Bool { finding.type != "US_NPI" }

    public func labels(ofSecret finding: Finding) -> Set<DataLabel> {
        extraLabels[finding.type, default: []].union([.secret])
    }

    /// The union of every finding's labels, as ``labels(ofPersonalData:)`` and ``labels(ofSecret:)``
    /// give them, without a set per finding: each kind's own label once, then the extras of the types
    /// found.
    func labels(ofPersonalData pii: [Finding], secrets: [Finding], healthContext: Bool) -> Set<DataLabel> {
        var labels = Set<DataLabel>()
        if !pii.isEmpty { labels.insert(.pii) }
        if healthContext, pii.contains(where: Self.identifiesPatient) { labels.insert(.phi) }
        if !secrets.isEmpty { labels.insert(.secret) }
        for (type, extra) in extraLabels
        where pii.contains(where: { $0.type == type }) || secrets.contains(where: { $0.type == type }) {
            labels.formUnion(extra)
        }
        return labels
    }
}

/// Classification markings a document carries about itself: a banner line (`CONFIDENTIAL`,
/// `INTERNAL USE ONLY`, `STRICTLY CONFIDENTIAL`) or a labelled line (`Classification: Restricted`,
/// `Sensitivity: Internal`). Each is a ``Finding`` whose type is the label's name (`confidential`…);
/// "highly" and "strictly confidential" are `restricted`. Markings label a text; they are not
/// redacted.
enum ClassificationMarkings {
    /// Banners, in upper case, alone on their line (after trimming decoration such as `*`, `-`, `[`).
    static let banners: [String: DataLabel] = [
        "PUBLIC": .public, "INTERNAL": .internal, "INTERNAL USE ONLY": .internal, "FOR INTERNAL USE ONLY": .internal,
        "INTERNAL ONLY": .internal, "CONFIDENTIAL": .confidential, "COMPANY CONFIDENTIAL": .confidential,
        "BUSINESS CONFIDENTIAL": .confidential, "HIGHLY CONFIDENTIAL": .restricted,
        "STRICTLY CONFIDENTIAL": .restricted, "RESTRICTED": .restricted,
    ]
    /// The last word of a key that introduces a marking before a colon ("Data classification:",
    /// "Sensitivity label:"), lower case.
    static let keys: [String] = ["classification", "sensitivity", "classified", "marking", "label"]

    /// A banner or a key's value is at most this long.
    static let longest = 40

    static func scan(_ text: ScalarText, into markings: inout [Finding]) {
        let marks = text.markAnchors
        var (lineStart, firstMark) = (0, 0)
        for (markIndex, index) in marks.enumerated() where text[index] == "\n" {
            line(text, lineStart..<index, marks: marks[firstMark..<markIndex], into: &markings)
            (lineStart, firstMark) = (index + 1, markIndex + 1)
        }
        if lineStart < text.count { line(text, lineStart..<text.count, marks: marks[firstMark...], into: &markings) }
    }

    /// One line, with the ``ScalarText/markAnchors`` inside it (among them its colons).
    private static func line(_ text: ScalarText, _ range: Range<Int>, marks: Positions.SubSequence, into markings: inout [Finding]) {
        // Banners are upper-case letters and spaces: only a line that starts with two capitals (after its
        // decoration) is trimmed at its end and looked up. Most lines fail at their first two letters.
        let start = trim(text, range, fromEnd: false).lowerBound
        if start + 1 < range.upperBound, text.isASCIIUppercase(start), text.isASCIIUppercase(start + 1) {
            let trimmed = trim(text, start..<range.upperBound, fromStart: false)
            if trimmed.count <= longest, trimmed.allSatisfy({ text.isASCIIUppercase($0) || text[$0] == " " }),
                let label = banners[text.string(trimmed)]
            {
                markings.append(Finding(type: label.rawValue, start: trimmed.lowerBound, end: trimmed.upperBound, score: 1.0))
                return
            }
        }
        for index in marks where text[index] == ":" {
            guard isKey(text, trim(text, max(range.lowerBound, index - longest)..<index, fromStart: false)) else { continue }
            let value = trim(text, index + 1..<min(range.upperBound, index + 1 + longest), fromEnd: false)
            if let (label, end) = valueLabel(text, value) {
                markings.append(Finding(type: label.rawValue, start: value.lowerBound, end: end, score: 0.9))
            }
        }
    }

    /// Whether the words of `range` end with one of ``keys`` as a whole word (`label` only after
    /// `sensitivity`). Compared in place: colons are common, keys are not.
    private static func isKey(_ text: ScalarText, _ range: Range<Int>) -> Bool {
        guard let last = lastWord(text, before: range.upperBound, from: range.lowerBound) else { return false }
        guard last.key == "label" else { return true }
        var before = last.start
        while before > range.lowerBound, text[before - 1] == " " { before -= 1 }
        return lastWord(text, before: before, from: range.lowerBound)?.key == "sensitivity"
    }

    /// The key that is the word ending at `end`, and where that word starts.
    private static func lastWord(_ text: ScalarText, before end: Int, from lower: Int) -> (key: String, start: Int)? {
        var start = end
        while start > lower, end - start < 14, text.isASCIILetter(start - 1) { start -= 1 }
        guard start < end, !text.isAlphanumeric(start - 1) else { return nil }
        for key in keys where key.utf8.count == end - start {
            let matches = zip(key.utf8, start..<end).allSatisfy { byte, index in text[index].value | 0x20 == UInt32(byte) }
            if matches { return (key, start) }
        }
        return nil
    }

    /// The label a key's value starts with (case-insensitive), and where its words end.
    private static func valueLabel(_ text: ScalarText, _ range: Range<Int>) -> (DataLabel, Int)? {
        let value = text.string(range).lowercased()
        let forms: [(String, DataLabel)] = [
            ("highly confidential", .restricted), ("strictly confidential", .restricted), ("confidential", .confidential),
            ("restricted", .restricted), ("internal", .internal), ("public", .public),
        ]
        for (form, label) in forms where value.hasPrefix(form) {
            let end = range.lowerBound + form.unicodeScalars.count
            guard !text.isAlphanumeric(end) else { continue }
            return (label, end)
        }
        return nil
    }

    /// `range` without the spaces and decoration (`*`, `-`, `=`, `#`, `_`, `[`, `]`, `(`, `)`, `/`, `|`) at
    /// its ends.
    private static func trim(_ text: ScalarText, _ range: Range<Int>, fromStart: Bool = true, fromEnd: Bool = true)
        -> Range<Int>
    {
        func decoration(_ index: Int) -> Bool {
            switch text[index].value {
            case 0x20, 0x09, 0x0D, 0x2A, 0x2D, 0x3D, 0x23, 0x5F, 0x5B, 0x5D, 0x28, 0x29, 0x2F, 0x7C: return true
            case 0..<0x80: return false
            default: return isWhitespace(text[index])
            }
        }
        var lower = range.lowerBound
        var upper = range.upperBound
        while fromStart, lower < upper, decoration(lower) { lower += 1 }
        while fromEnd, upper > lower, decoration(upper - 1) { upper -= 1 }
        return lower..<upper
    }

    /// Apart, so that a line without such a scalar does not pay for asking Unicode's properties (the
    /// properties' type is looked up at run time wherever they may be asked).
    @inline(never) private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }
}

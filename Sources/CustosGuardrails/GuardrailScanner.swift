/// What a scan found in one text.
public struct ScanResult: Hashable, Sendable {
    /// Personal data, by Presidio entity name, ordered by position, without overlaps.
    public var pii: [Finding]
    /// Credentials, by provider or format, ordered by position.
    public var secrets: [Finding]
    /// Classification markings the text carries about itself (`CONFIDENTIAL`, `Classification:
    /// Internal`), each typed by its label's name; they label the text and are not redacted.
    public var markings: [Finding]
    /// The data classes of the findings and the markings.
    public var labels: Set<DataLabel>
    /// Whether the text was longer than ``ScalarText/maximumScalars`` and only its start was scanned.
    public var truncated: Bool
    /// Whether the text speaks of someone's health (a clinical word: patient, diagnosis, medication, …),
    /// which makes the personal data in it `phi` (``Classification/labels(ofPersonalData:healthContext:)``).
    public var healthContext: Bool = false
}

/// Finds personal data and secrets in text. The text is read once into scalars, their kinds and the
/// positions where a finding can start (``ScalarText/isAnchor(_:)``: word and number starts, and a few
/// punctuation marks); every detector then goes left to right over those positions with bounded
/// look-around (no regular expressions, so no backtracking), so time is linear in the text. Offsets
/// are in Unicode scalars, end exclusive.
public struct GuardrailScanner: Sendable {
    /// Personal-data findings scoring below this are dropped (shapes that need context, without it).
    public var minimumScore: Double
    /// Which labels each finding carries.
    public var classification: Classification

    public init(minimumScore: Double = 0.5, classification: Classification = .builtIn) {
        self.minimumScore = minimumScore
        self.classification = classification
    }

    public func scan(_ string: String) -> ScanResult { scan(ScalarText(string)) }

    func scan(_ text: ScalarText) -> ScanResult {
        var secrets: [Finding] = []
        SecretDetectors.privateKeys(text, into: &secrets)
        SecretDetectors.tokens(text, into: &secrets)
        SecretDetectors.connectionStrings(text, into: &secrets)
        SecretDetectors.highEntropy(text, covered: secrets, into: &secrets)
        secrets = Self.withoutOverlaps(secrets)

        var pii: [Finding] = []
        pii.reserveCapacity(16)
        let cues = ContextDetectors.cues(text)
        ContactDetectors.emails(text, into: &pii)
        NumberDetectors.creditCards(text, into: &pii)
        NumberDetectors.ibans(text, twoLetterWords: cues.twoLetterWords, into: &pii)
        NumberDetectors.usSocialSecurityNumbers(text, into: &pii)
        ContactDetectors.ipAddresses(text, into: &pii)
        ContactDetectors.phoneNumbers(text, into: &pii)
        IdentityNumberDetectors.scan(text, cues: cues, into: &pii)
        ContextDetectors.datesOfBirth(text, cues: cues, into: &pii)
        ContextDetectors.streetAddresses(text, into: &pii)
        ContextDetectors.continentalAddresses(text, cues: cues, into: &pii)
        ContextDetectors.persons(text, cues: cues.personCues, into: &pii)
        ContextDetectors.personsByGivenName(text, cues: cues.givenNames, into: &pii)
        // A number inside a secret (a key's digits, a connection string's host) is part of the secret.
        let covered = Coverage(secrets)
        pii = Self.withoutOverlaps(pii.filter { $0.score >= minimumScore && !covered.overlaps($0) })

        var markings: [Finding] = []
        ClassificationMarkings.scan(text, into: &markings)

        let healthContext = cues.families.contains(.health)
        let labels = Set(markings.compactMap { DataLabel(rawValue: $0.type) })
            .union(classification.labels(ofPersonalData: pii, secrets: secrets, healthContext: healthContext))
        return ScanResult(
            pii: pii, secrets: secrets, markings: markings, labels: labels, truncated: text.truncated, healthContext: healthContext)
    }

    /// Keeps, of overlapping findings, the one with the higher score (then the longer one): one sweep
    /// in order of position, so linear after the sort however many findings a hostile text produces.
    static func withoutOverlaps(_ findings: [Finding]) -> [Finding] {
        var kept: [Finding] = []
        kept.reserveCapacity(findings.count)
        for finding in byPosition(findings) {
            guard let last = kept.last, last.end > finding.start else {
                kept.append(finding)
                continue
            }
            if (finding.score, finding.end - finding.start) > (last.score, last.end - last.start) {
                kept[kept.count - 1] = finding
            }
        }
        return kept
    }

    /// `findings` in order of position (start, then end), equal ones in their given order. Sorted as
    /// integers, each finding's start, end and index packed in one (a text's positions fit in 23 bits),
    /// so that the sort moves no finding (and no type's string); by comparison where they do not fit.
    static func byPosition(_ findings: [Finding]) -> [Finding] {
        guard findings.count < 1 << 18, findings.allSatisfy({ 0 <= $0.start && $0.start <= $0.end && $0.end < 1 << 23 }) else {
            return findings.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        }
        let keys = findings.indices.map { UInt64($0) | UInt64(findings[$0].end) << 18 | UInt64(findings[$0].start) << 41 }
        return keys.sorted().map { findings[Int($0 & 0x3FFFF)] }
    }
}

/// Which ranges findings cover, for overlap questions in O(log n).
struct Coverage {
    private let ranges: [(start: Int, end: Int)]

    init(_ findings: [Finding]) {
        // Merged, sorted, disjoint ranges.
        var merged: [(start: Int, end: Int)] = []
        for finding in findings.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, finding.start <= last.end {
                merged[merged.count - 1].end = max(last.end, finding.end)
            } else {
                merged.append((finding.start, finding.end))
            }
        }
        ranges = merged
    }

    func overlaps(_ finding: Finding) -> Bool { overlaps(finding.start, finding.end) }

    func overlaps(_ start: Int, _ end: Int) -> Bool {
        let first = ranges.firstIndex(bisecting: { $0.end > start })
        return first < ranges.count && ranges[first].start < end
    }
}

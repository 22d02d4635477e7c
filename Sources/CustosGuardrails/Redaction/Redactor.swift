import Crypto
import Foundation

/// The outcome of redacting one text.
public struct Redaction: Hashable, Sendable {
    /// The text with findings replaced; the original text when ``blocked``.
    public var text: String
    /// Whether a finding's mode (or a marking's) was ``RedactionMode/block``.
    public var blocked: Bool
    /// The findings that were replaced.
    public var replaced: [Finding]
}

/// Replaces findings in text as a ``RedactionPolicy`` says.
public struct Redactor: Sendable {
    public let policy: RedactionPolicy
    private let hashKey: [UInt8]

    /// `hashKey` (at least 32 bytes) keys the ``RedactionMode/hash`` tags: a deployment secret, so a
    /// tag cannot be reversed by hashing guesses (nine-digit SSNs are few).
    public init(policy: RedactionPolicy, hashKey: [UInt8]) {
        precondition(hashKey.count >= 32, "the redaction hash key must be at least 32 bytes")
        self.policy = policy
        self.hashKey = hashKey
    }

    public func redact(_ text: String, _ result: ScanResult, vault: PlaceholderVault? = nil) -> Redaction {
        let findings = modes(of: result)
        if blocks(result, findings) { return Redaction(text: text, blocked: true, replaced: []) }
        let scalars = Array(text.unicodeScalars)
        var out: [UInt8] = []
        let replaced = write(scalars[...], findings: findings, offset: 0, vault: vault, into: &out)
        return Redaction(text: String(decoding: out, as: UTF8.self), blocked: false, replaced: replaced)
    }

    /// The result's findings in order of position, each with the mode the policy gives it.
    func modes(of result: ScanResult) -> [(finding: Finding, mode: RedactionMode)] {
        let classification = policy.classification
        let personal = result.pii.map {
            ($0, policy.mode(for: $0, labels: classification.labels(ofPersonalData: $0, healthContext: result.healthContext)))
        }
        let secrets = result.secrets.map { ($0, policy.mode(for: $0, labels: classification.labels(ofSecret: $0))) }
        return (personal + secrets).sorted { $0.0.start < $1.0.start }
    }

    /// Whether a finding or a marking refuses the text.
    func blocks(_ result: ScanResult, _ findings: [(finding: Finding, mode: RedactionMode)]) -> Bool {
        findings.contains { $0.mode == .block }
            || result.markings.contains { DataLabel(rawValue: $0.type).map(policy.blocks(marking:)) ?? false }
    }

    /// Writes the UTF-8 of `scalars` (which start at `offset` of the scanned text) with the findings in
    /// them replaced; a finding that starts before them has its part inside them replaced.
    func write(
        _ scalars: ArraySlice<Unicode.Scalar>, findings: [(finding: Finding, mode: RedactionMode)], offset: Int,
        vault: PlaceholderVault?, into out: inout [UInt8]
    ) -> [Finding] {
        var replaced: [Finding] = []
        let base = scalars.startIndex - offset
        var cursor = scalars.startIndex
        for (finding, mode) in findings where mode != .allow {
            let start = max(finding.start + base, cursor)
            let end = min(finding.end + base, scalars.endIndex)
            guard start < end else { continue }
            scalars[cursor..<start].encodeUTF8(into: &out)
            out.append(contentsOf: replacement(String(scalars: scalars[start..<end]), finding, mode, vault).utf8)
            replaced.append(finding)
            cursor = end
        }
        scalars[cursor...].encodeUTF8(into: &out)
        return replaced
    }

    private func replacement(_ value: String, _ finding: Finding, _ mode: RedactionMode, _ vault: PlaceholderVault?)
        -> String
    {
        switch mode {
        case .allow, .block: return value
        case .mask:
            let keep = ["CREDIT_CARD", "IBAN_CODE"].contains(finding.type) ? 4 : 0
            let significant = value.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }.count
            var seen = 0
            return String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
                guard scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { return scalar }
                seen += 1
                return seen > significant - keep ? scalar : "*"
            }))
        case .hash:
            let tag = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: hashKey))
            return "<\(finding.type):" + Hex.encode(tag.prefix(6)) + ">"
        case .placeholder:
            // A full vault falls back to a tag that cannot be restored rather than leaking the value.
            return vault?.placeholder(for: value, type: finding.type) ?? "<\(finding.type)>"
        }
    }
}

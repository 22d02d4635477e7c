import Crypto
import Foundation
import Synchronization

/// What to do with a finding's text.
public enum RedactionMode: String, Hashable, Sendable, CaseIterable {
    /// Leave it as it is.
    case allow
    /// Replace each letter and digit with `*` (cards and IBANs keep their last four characters).
    case mask
    /// Replace it with `<TYPE:hmac>`: the same value always gives the same tag under one key, so
    /// records stay joinable without the value.
    case hash
    /// Replace it with `<TYPE_n>`; a ``PlaceholderVault`` can put the value back (within one session).
    case placeholder
    /// Refuse the whole text.
    case block
}

/// Which mode applies to a finding: its type first, then its label, then the default.
public struct RedactionPolicy: Hashable, Sendable {
    public var byType: [String: RedactionMode]
    public var byLabel: [DataLabel: RedactionMode]
    public var defaultMode: RedactionMode

    public init(byType: [String: RedactionMode] = [:], byLabel: [DataLabel: RedactionMode] = [:], defaultMode: RedactionMode) {
        self.byType = byType
        self.byLabel = byLabel
        self.defaultMode = defaultMode
    }

    func mode(for finding: Finding, label: DataLabel) -> RedactionMode {
        byType[finding.type] ?? byLabel[label] ?? defaultMode
    }
}

/// The placeholders of one session: the same value gets the same placeholder, and ``restore(_:)``
/// puts values back into text that comes back (a model's answer quoting `<EMAIL_ADDRESS_1>`).
public final class PlaceholderVault: Sendable {
    private struct State {
        var byValue: [String: String] = [:]
        var byPlaceholder: [String: String] = [:]
        var counters: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// Most distinct values one session may hold (a bound on memory).
    public static let capacity = 10_000

    public init() {}

    /// The placeholder for `value` of `type`; nil when the vault is full.
    func placeholder(for value: String, type: String) -> String? {
        state.withLock { state in
            if let known = state.byValue[type + "\u{0}" + value] { return known }
            guard state.byPlaceholder.count < Self.capacity else { return nil }
            let number = state.counters[type, default: 0] + 1
            state.counters[type] = number
            let placeholder = "<\(type)_\(number)>"
            state.byValue[type + "\u{0}" + value] = placeholder
            state.byPlaceholder[placeholder] = value
            return placeholder
        }
    }

    /// `text` with every placeholder this vault issued replaced by its value.
    public func restore(_ text: String) -> String {
        let table = state.withLock { $0.byPlaceholder }
        guard !table.isEmpty, text.contains("<") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: ">"), let value = table[String(rest[open...close])] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out += "<"
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }
}

/// The outcome of redacting one text.
public struct Redaction: Hashable, Sendable {
    /// The text with findings replaced; the original text when ``blocked``.
    public var text: String
    /// Whether a finding's mode was ``RedactionMode/block``.
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
        let labelled = result.pii.map { ($0, DataLabel.pii) } + result.secrets.map { ($0, DataLabel.secret) }
        let findings = labelled.sorted { $0.0.start < $1.0.start }
        if findings.contains(where: { policy.mode(for: $0.0, label: $0.1) == .block }) {
            return Redaction(text: text, blocked: true, replaced: [])
        }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var replaced: [Finding] = []
        var cursor = 0
        for (finding, label) in findings where finding.start >= cursor && finding.end <= scalars.count {
            let mode = policy.mode(for: finding, label: label)
            guard mode != .allow else { continue }
            out.append(contentsOf: scalars[cursor..<finding.start])
            let value = String(String.UnicodeScalarView(scalars[finding.start..<finding.end]))
            out.append(contentsOf: replacement(value, finding, mode, vault).unicodeScalars)
            replaced.append(finding)
            cursor = finding.end
        }
        out.append(contentsOf: scalars[cursor...])
        return Redaction(text: String(out), blocked: false, replaced: replaced)
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

/// What to do with a finding's text.
public enum RedactionMode: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Leave it as it is.
    case allow
    /// Replace it with `<TYPE_n>`; a ``PlaceholderVault`` can put the value back (within one session).
    case placeholder
    /// Replace it with `<TYPE:hmac>`: the same value always gives the same tag under one key, so
    /// records stay joinable without the value.
    case hash
    /// Replace each letter and digit with `*` (cards and IBANs keep their last four characters).
    case mask
    /// Refuse the whole text.
    case block

    /// Ordered from the least to the most strict, as declared: where a finding's labels name
    /// different modes, the strictest wins.
    public static func < (lhs: RedactionMode, rhs: RedactionMode) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which mode applies to a finding. Layers are asked in order (a destination's before the
/// deployment-wide one): within a layer, a rule for the finding's type wins, then the strictest of the
/// rules for its labels; a finding no layer names gets ``defaultMode``.
public struct RedactionPolicy: Hashable, Sendable {
    /// Modes by finding type and by label.
    public struct Layer: Hashable, Sendable {
        public var byType: [String: RedactionMode]
        public var byLabel: [DataLabel: RedactionMode]

        public init(byType: [String: RedactionMode] = [:], byLabel: [DataLabel: RedactionMode] = [:]) {
            self.byType = byType
            self.byLabel = byLabel
        }

        func mode(type: String?, labels: Set<DataLabel>) -> RedactionMode? {
            if let type, let mode = byType[type] { return mode }
            return labels.compactMap { byLabel[$0] }.max()
        }
    }

    public var layers: [Layer]
    public var defaultMode: RedactionMode
    /// Which labels each finding carries.
    public var classification: Classification

    public init(layers: [Layer], defaultMode: RedactionMode, classification: Classification = .builtIn) {
        self.layers = layers
        self.defaultMode = defaultMode
        self.classification = classification
    }

    /// One layer.
    public init(
        byType: [String: RedactionMode] = [:], byLabel: [DataLabel: RedactionMode] = [:], defaultMode: RedactionMode,
        classification: Classification = .builtIn
    ) {
        self.init(layers: [Layer(byType: byType, byLabel: byLabel)], defaultMode: defaultMode, classification: classification)
    }

    func mode(for finding: Finding, labels: Set<DataLabel>) -> RedactionMode {
        for layer in layers {
            if let mode = layer.mode(type: finding.type, labels: labels) { return mode }
        }
        return defaultMode
    }

    /// Whether a text marked with `label` (a classification marking) is refused: only `block` applies
    /// to markings, which are not replaced.
    func blocks(marking label: DataLabel) -> Bool {
        layers.lazy.compactMap { $0.mode(type: nil, labels: [label]) }.first == .block
    }
}

/// Where redacted text is going: the trust zone of the destination and its vendor (the model provider
/// or SaaS behind it), as the enforcement point knows them. Either may be unknown.
public struct RedactionDestination: Hashable, Sendable {
    public var zone: String?
    public var vendor: String?

    public init(zone: String? = nil, vendor: String? = nil) {
        self.zone = zone
        self.vendor = vendor
    }
}

/// A bad rules document: what is wrong and where (a dotted path).
public struct RedactionRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var path: String

    public init(_ message: String, at path: String) {
        self.message = message
        self.path = path
    }

    static func unknownType(_ type: String, at path: String) -> RedactionRulesError {
        RedactionRulesError("unknown finding type `\(type)` (one of \(FindingTypes.all.sorted().joined(separator: ", ")))", at: path)
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A deployment's redaction rules: extra labels per finding type, the modes for every destination, and
/// per destination (zone, vendor) the modes that differ. ``policy(for:)`` gives the policy for one
/// destination: the first destination entry that matches is asked before the deployment-wide rules.
///
/// The document (YAML or JSON, as parsed into dictionaries, arrays and strings):
///
/// ```yaml
/// classification: {IBAN_CODE: confidential, US_SSN: [restricted]}
/// default: mask                    # a finding nothing names; mask when left out
/// labels: {pii: placeholder, secret: mask, phi: block}
/// types: {EMAIL_ADDRESS: hash}
/// destinations:
///   - zone: internal               # a name or a list of names
///     labels: {pii: allow}
///   - zone: external
///     vendor: [openai, anthropic]  # both must match
///     labels: {restricted: block}
///     default: block
/// ```
///
/// Unknown keys, labels, modes and finding types are errors, so that a typo does not quietly let data
/// through.
public struct RedactionRules: Hashable, Sendable {
    struct Destination: Hashable, Sendable {
        var zones: Set<String>?
        var vendors: Set<String>?
        var layer: RedactionPolicy.Layer
        var defaultMode: RedactionMode?

        func matches(_ destination: RedactionDestination) -> Bool {
            (zones.map { zones in destination.zone.map(zones.contains) ?? false } ?? true)
                && (vendors.map { vendors in destination.vendor.map(vendors.contains) ?? false } ?? true)
        }
    }

    public let classification: Classification
    let base: RedactionPolicy.Layer
    let defaultMode: RedactionMode
    let destinations: [Destination]

    public init(document: Any?) throws(RedactionRulesError) {
        let root = try Self.mapping(document ?? [String: Any](), at: "", allowed: ["classification", "default", "labels", "types", "destinations"])
        var extra: [String: Set<DataLabel>] = [:]
        for (type, value) in try Self.mapping(root["classification"] ?? [String: Any](), at: "classification") {
            let names = value as? [Any] ?? [value]
            extra[type] = try Set(names.map { name throws(RedactionRulesError) in try Self.label(name, at: "classification.\(type)") })
        }
        classification = try Classification.builtIn(adding: extra)
        base = try Self.layer(root, at: "")
        defaultMode = try root["default"].map { mode throws(RedactionRulesError) in try Self.mode(mode, at: "default") } ?? .mask
        guard let entries = root["destinations"] as? [Any] ?? (root["destinations"] == nil ? [] : nil) else {
            throw RedactionRulesError("must be a list", at: "destinations")
        }
        var destinations: [Destination] = []
        for (index, entry) in entries.enumerated() {
            let path = "destinations[\(index)]"
            let fields = try Self.mapping(entry, at: path, allowed: ["zone", "vendor", "default", "labels", "types"])
            let zones = try fields["zone"].map { value throws(RedactionRulesError) in try Self.names(value, at: "\(path).zone") }
            let vendors = try fields["vendor"].map { value throws(RedactionRulesError) in try Self.names(value, at: "\(path).vendor") }
            guard zones != nil || vendors != nil else { throw RedactionRulesError("names no zone and no vendor", at: path) }
            destinations.append(Destination(
                zones: zones, vendors: vendors, layer: try Self.layer(fields, at: path + "."),
                defaultMode: try fields["default"].map { mode throws(RedactionRulesError) in try Self.mode(mode, at: "\(path).default") }))
        }
        self.destinations = destinations
    }

    /// The policy for text going to `destination`.
    public func policy(for destination: RedactionDestination) -> RedactionPolicy {
        guard let match = destinations.first(where: { $0.matches(destination) }) else {
            return RedactionPolicy(layers: [base], defaultMode: defaultMode, classification: classification)
        }
        return RedactionPolicy(layers: [match.layer, base], defaultMode: match.defaultMode ?? defaultMode, classification: classification)
    }

    /// Whether any destination's rules hash (which needs a key).
    public var usesHash: Bool {
        ([base] + destinations.map(\.layer)).contains { $0.byType.values.contains(.hash) || $0.byLabel.values.contains(.hash) }
            || ([defaultMode] + destinations.compactMap(\.defaultMode)).contains(.hash)
    }

    private static func layer(_ fields: [String: Any], at prefix: String) throws(RedactionRulesError) -> RedactionPolicy.Layer {
        var layer = RedactionPolicy.Layer()
        for (name, value) in try mapping(fields["labels"] ?? [String: Any](), at: prefix + "labels") {
            layer.byLabel[try label(name, at: prefix + "labels")] = try mode(value, at: prefix + "labels.\(name)")
        }
        for (type, value) in try mapping(fields["types"] ?? [String: Any](), at: prefix + "types") {
            guard FindingTypes.all.contains(type) else { throw .unknownType(type, at: prefix + "types.\(type)") }
            layer.byType[type] = try mode(value, at: prefix + "types.\(type)")
        }
        return layer
    }

    private static func mapping(_ value: Any, at path: String, allowed: Set<String>? = nil) throws(RedactionRulesError)
        -> [String: Any]
    {
        guard let mapping = value as? [String: Any] else { throw RedactionRulesError("must be a mapping", at: path) }
        if let allowed, let unknown = mapping.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw RedactionRulesError("unknown key `\(unknown)` (one of \(allowed.sorted().joined(separator: ", ")))", at: path)
        }
        return mapping
    }

    private static func mode(_ value: Any, at path: String) throws(RedactionRulesError) -> RedactionMode {
        guard let name = value as? String, let mode = RedactionMode(rawValue: name) else {
            let modes = RedactionMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw RedactionRulesError("`\(value)` is not a mode (one of \(modes))", at: path)
        }
        return mode
    }

    private static func label(_ value: Any, at path: String) throws(RedactionRulesError) -> DataLabel {
        guard let name = value as? String, let label = DataLabel(rawValue: name) else {
            let labels = DataLabel.allCases.map(\.rawValue).joined(separator: ", ")
            throw RedactionRulesError("`\(value)` is not a label (one of \(labels))", at: path)
        }
        return label
    }

    private static func names(_ value: Any, at path: String) throws(RedactionRulesError) -> Set<String> {
        let names = (value as? [Any] ?? [value]).compactMap { $0 as? String }.filter { !$0.isEmpty }
        guard !names.isEmpty, names.count == (value as? [Any])?.count ?? 1 else {
            throw RedactionRulesError("must be a name or a list of names", at: path)
        }
        return Set(names)
    }
}

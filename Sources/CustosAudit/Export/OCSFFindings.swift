public import Cedar

/// Guardrail results as OCSF Findings, beside a record's API Activity event (docs/AUDIT.md).
///
/// - Detection Finding (2004): prompt injection findings, and MCP tool events (`tool.poisoning`,
///   `tool.changed`, `tool.blocked`).
/// - Data Security Finding (2006): personal data and secrets found in what a call carried, one event
///   per record with every such finding.
///
/// A finding in a record is a JSON object with `detector` (`injection`, `pii`, `secrets` or `tool`)
/// and `type` (Presidio's entity names for personal data, the provider's for secrets), and
/// optionally `score` (0…1) and `label`. Findings of other detectors stay in the API Activity event's
/// `unmapped.custos.findings` only.
enum OCSFFindings {
    struct Source {
        let record: AuditRecord
        let index: UInt64
        let leafHash: TreeHash
        let origin: String
    }

    static func events(_ source: Source) -> [JSONValue] {
        var events: [JSONValue] = []
        if let detection = detection(source) { events.append(detection) }
        if let dataSecurity = dataSecurity(source) { events.append(dataSecurity) }
        return events
    }

    // MARK: Detection Finding (2004)

    static let toolEvents: [String: (title: String, severity: Int64)] = [
        "tool.poisoning": ("MCP tool description or schema looks poisoned", 4),
        "tool.changed": ("MCP tool changed since it was approved (blocked until approved)", 3),
        "tool.blocked": ("New MCP tool with poisoning findings (blocked until approved)", 4),
    ]

    private static func detection(_ source: Source) -> JSONValue? {
        let record = source.record
        let injections = findings(of: record, detector: "injection")
        let score = injections.compactMap(\.score).max()
        let tool = record.event.flatMap { toolEvents[$0] }
        guard tool != nil || !injections.isEmpty else { return nil }
        var info: [String: JSONValue]
        let severity: Int64
        var resources: [JSONValue] = []
        if let tool, case .string(let server)? = record.details["server"], case .string(let name)? = record.details["tool"] {
            var types: [JSONValue] = [.string(record.event ?? "tool")]
            if case .string(let kind)? = record.details["kind"] { types.append(.string(kind)) }
            info = ["title": .string(tool.title), "types": .array(types)]
            if case .string(let detail)? = record.details["detail"] { info["desc"] = .string(detail) }
            info["analytic"] = .object(["name": "custos tool pinning and poisoning checks", "type_id": .integer(1), "type": "Rule"])
            resources.append(.object(["uid": .string("\(server)/\(name)"), "name": .string(name), "type": "MCP tool"]))
            severity = tool.severity
        } else {
            info = [
                "title": "Prompt injection detected",
                "types": .array(["prompt_injection"]),
                "analytic": .object(["name": "custos injection model", "type_id": .integer(4), "type": "Learning (ML/DL)"]),
            ]
            if let score { info["desc"] = .string("highest score \(score)") }
            severity = 4
        }
        info["uid"] = .string("\(source.origin)/\(source.index)/detection")
        if let resource = record.resource { resources.append(.object(["uid": .string(resource)])) }
        var event = base(source, classUID: 2004, className: "Detection Finding", severity: severity)
        event["finding_info"] = .object(info)
        if !resources.isEmpty { event["resources"] = .array(resources) }
        if let score { event["confidence_score"] = .integer(Int64((score * 100).rounded())) }
        return .object(event)
    }

    // MARK: Data Security Finding (2006)

    private static func dataSecurity(_ source: Source) -> JSONValue? {
        let record = source.record
        let found = findings(of: record, detector: "pii") + findings(of: record, detector: "secrets")
        guard !found.isEmpty else { return nil }
        var types: [String] = []
        for finding in found where !types.contains(finding.type) { types.append(finding.type) }
        let categories = Set(found.map { Self.category(of: $0).id })
        let classification: (id: Int64, name: String) = categories.count == 1 ? Self.category(of: found[0]) : (99, "Other")
        let secrets = found.contains { $0.detector == "secrets" }
        var event = base(source, classUID: 2006, className: "Data Security Finding", severity: secrets ? 4 : 3)
        event["finding_info"] = .object([
            "uid": .string("\(source.origin)/\(source.index)/data"),
            "title": .string((secrets ? "Secrets" : "Personal data") + " found: " + types.joined(separator: ", ")),
            "types": .array(types.map(JSONValue.string)),
            "analytic": .object(["name": "custos guardrails", "type_id": .integer(1), "type": "Rule"]),
        ])
        event["data_security"] = .object([
            "category_id": .integer(classification.id), "category": .string(classification.name),
            "detection_pattern": .string(types.joined(separator: ",")),
            "pattern_match": .string("\(found.count) finding(s)"),
        ])
        if let resource = record.resource { event["resources"] = .array([.object(["uid": .string(resource)])]) }
        return .object(event)
    }

    /// The OCSF data classification category of a finding: government identifiers, financial data,
    /// other personal data, or (secrets) Other.
    static func category(of finding: Finding) -> (id: Int64, name: String) {
        if finding.detector == "secrets" { return (99, "Other") }
        switch finding.type {
        case "US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE", "US_ITIN", "US_MBI", "US_NPI": return (2, "Governmental")
        case "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "CRYPTO": return (3, "Financial")
        default: return (1, "Personal")
        }
    }

    // MARK: Shared

    struct Finding {
        let detector: String
        let type: String
        let score: Double?
    }

    static func findings(of record: AuditRecord, detector: String) -> [Finding] {
        record.findings.compactMap { value in
            guard case .string(detector)? = value["detector"] else { return nil }
            let type: String = if case .string(let type)? = value["type"] { type } else { detector }
            let score: Double? =
                switch value["score"] {
                case .integer(let n)?: Double(n)
                case .double(let x)?: x
                default: nil
                }
            return Finding(detector: detector, type: type, score: score.map { min(1, max(0, $0)) })
        }
    }

    /// What every finding event shares with the record's API Activity event: time, metadata, actor.
    private static func base(_ source: Source, classUID: Int64, className: String, severity: Int64) -> [String: JSONValue] {
        let record = source.record
        let milliseconds = record.time.floorDivided(by: 1000)
        var event: [String: JSONValue] = [
            "class_uid": .integer(classUID), "class_name": .string(className),
            "category_uid": .integer(2), "category_name": "Findings",
            "activity_id": .integer(1), "activity_name": "Create",
            "type_uid": .integer(classUID * 100 + 1), "type_name": .string("\(className): Create"),
            "time": .integer(milliseconds),
            "severity_id": .integer(severity), "severity": .string(severityNames[Int(severity)] ?? "Other"),
            "status_id": .integer(1), "status": "New",
            "metadata": .object(OCSFExport.metadata(record, uid: "\(source.origin)/\(source.index)", origin: source.origin)),
            "actor": OCSFExport.actor(record),
        ]
        var custos: [String: JSONValue] = [
            "index": .integer(Int64(source.index)), "leaf_hash": .string(source.leafHash.base64), "findings": .array(record.findings),
        ]
        if let name = record.event { custos["event"] = .string(name) }
        if !record.details.isEmpty { custos["details"] = .object(record.details) }
        event["unmapped"] = .object(["custos": .object(custos)])
        return event
    }

    static let severityNames: [Int: String] = [1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"]
}

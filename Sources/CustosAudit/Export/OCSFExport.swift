public import Cedar

/// Audit records as OCSF events, for SIEMs (docs/AUDIT.md lists every attribute).
///
/// Every record becomes an API Activity event (class 6003): decisions with the Security Control
/// profile's `action_id` and `disposition_id`, control-plane and agent events with the operation
/// they performed. The record's position in the log (`metadata.uid` = `<origin>/<index>`) and its
/// leaf hash travel along, so an event in a SIEM can be traced back to a provable record.
public enum OCSFExport {
    public static let schemaVersion = "1.3.0"

    public static func event(for record: AuditRecord, index: UInt64, leafHash: TreeHash, origin: String) -> JSONValue {
        let activity = activityID(for: record)
        let milliseconds = record.time.floorDivided(by: 1000)
        var object: [String: JSONValue] = [
            "class_uid": .integer(6003), "class_name": "API Activity",
            "category_uid": .integer(6), "category_name": "Application Activity",
            "activity_id": .integer(activity.id), "activity_name": .string(activity.name),
            "type_uid": .integer(600_300 + activity.id), "type_name": .string("API Activity: \(activity.name)"),
            "time": .integer(milliseconds),
            "severity_id": .integer(record.decision == .deny ? 2 : 1),
            "severity": record.decision == .deny ? "Low" : "Informational",
            "status_id": .integer(record.decision == .deny ? 2 : 1),
            "status": record.decision == .deny ? "Failure" : "Success",
            "api": .object(["operation": .string(record.action ?? record.event ?? record.kind.rawValue),
                "service": .object(["name": "custos"])]),
            "src_endpoint": .object(["uid": .string(record.executedBy ?? record.agent ?? "custos")]),
        ]
        var metadata = metadata(record, uid: "\(origin)/\(index)", origin: origin)
        object["actor"] = actor(record)
        if let resource = record.resource { object["resources"] = .array([.object(["uid": .string(resource)])]) }
        if let decision = record.decision {
            metadata["profiles"] = .array(["security_control"])
            let (action, disposition) = securityControl(decision)
            object["action_id"] = .integer(action.id)
            object["action"] = .string(action.name)
            object["disposition_id"] = .integer(disposition.id)
            object["disposition"] = .string(disposition.name)
            if let first = record.policies.first {
                var policy: [String: JSONValue] = ["uid": .string(first), "name": .string(first)]
                if let version = record.policyVersion { policy["version"] = .string(version) }
                object["policy"] = .object(policy)
            }
        }
        object["metadata"] = .object(metadata)
        var custos: [String: JSONValue] = [
            "index": .integer(Int64(index)), "leaf_hash": .string(leafHash.base64), "kind": .string(record.kind.rawValue),
        ]
        if let event = record.event { custos["event"] = .string(event) }
        if let sponsor = record.sponsor { custos["sponsor"] = .string(sponsor) }
        if !record.policies.isEmpty { custos["policies"] = .array(record.policies.map(JSONValue.string)) }
        if let digest = record.requestDigest { custos["request_digest"] = .string(digest) }
        if !record.findings.isEmpty { custos["findings"] = .array(record.findings) }
        if !record.details.isEmpty { custos["details"] = .object(record.details) }
        object["unmapped"] = .object(["custos": .object(custos)])
        return .object(object)
    }

    /// The record's events: its API Activity event, then a Detection Finding and a Data Security
    /// Finding when it carries guardrail results (``OCSFFindings``).
    public static func events(for record: AuditRecord, index: UInt64, leafHash: TreeHash, origin: String) -> [JSONValue] {
        [event(for: record, index: index, leafHash: leafHash, origin: origin)]
            + OCSFFindings.events(.init(record: record, index: index, leafHash: leafHash, origin: origin))
    }

    /// The `metadata` object every event of a record carries; `uid` names the event.
    static func metadata(_ record: AuditRecord, uid: String, origin: String) -> [String: JSONValue] {
        let milliseconds = record.time.floorDivided(by: 1000)
        var metadata: [String: JSONValue] = [
            "version": .string(schemaVersion), "uid": .string(uid), "log_name": .string(origin),
            "product": .object(["name": "Custos", "vendor_name": "Custos"]), "logged_time": .integer(milliseconds),
            "original_time": .string(AuditTime.format(microseconds: record.time)),
        ]
        if let traceID = record.traceID { metadata["correlation_uid"] = .string(traceID) }
        return metadata
    }

    /// Who authorized (`user`) and who executed (`app_name`, `app_uid`), and the session.
    static func actor(_ record: AuditRecord) -> JSONValue {
        var actor: [String: JSONValue] = [:]
        if let user = record.authorizedBy { actor["user"] = .object(["uid": .string(user), "name": .string(user)]) }
        if let agent = record.agent { actor["app_name"] = .string(agent) }
        if let instance = record.executedBy { actor["app_uid"] = .string(instance) }
        if let session = record.session { actor["session"] = .object(["uid": .string(session)]) }
        return .object(actor)
    }

    /// API Activity's CRUD activities, from the event name or the action; 99 (Other) otherwise.
    static func activityID(for record: AuditRecord) -> (id: Int64, name: String) {
        let operation = record.event ?? record.action ?? ""
        let verb = operation.split(separator: ".").last.map(String.init) ?? operation
        switch verb {
        case "registered", "issued", "create", "created": return (1, "Create")
        case "read", "get", "list": return (2, "Read")
        case "updated", "suspended", "reactivated", "revoked", "write", "update": return (3, "Update")
        case "deleted", "delete": return (4, "Delete")
        default: return (99, "Other")
        }
    }

    /// The Security Control profile's action and disposition: allow → Allowed/Allowed, deny →
    /// Denied/Blocked, needs approval → Denied (until approved)/Other.
    static func securityControl(_ decision: AuditRecord.Decision) -> (action: (id: Int64, name: String), disposition: (id: Int64, name: String)) {
        switch decision {
        case .allow: ((1, "Allowed"), (1, "Allowed"))
        case .deny: ((2, "Denied"), (2, "Blocked"))
        case .needsApproval: ((2, "Denied"), (99, "Pending approval"))
        }
    }
}

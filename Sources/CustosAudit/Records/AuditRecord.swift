public import Cedar
public import CustosCore
import Foundation

/// One entry of the audit log: a decision or a security event. Its canonical bytes
/// (``canonicalBytes()``) are the Merkle leaf; see docs/AUDIT.md for every field.
public struct AuditRecord: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// An authorization decision by the enforcement point or the PDP.
        case decision
        /// A security event of the control plane (an agent registered, a credential issued, …).
        case event
        /// An event an agent's own SDK appended, attributed to the agent's verified identity.
        case external
    }

    public enum Decision: String, Sendable, CaseIterable {
        case allow, deny
        case needsApproval = "needs_approval"
    }

    /// Version of the record format; part of the hashed bytes.
    public static let formatVersion: Int64 = 1
    /// Largest canonical record accepted, in bytes.
    public static let maximumBytes = 64 * 1024

    /// Set by the log when the record is appended (microseconds since the epoch, never decreasing).
    public var time: Int64 = 0
    public var kind: Kind
    /// What happened, as a dotted name (`agent.registered`, `credential.issued`, …).
    public var event: String?
    /// Who authorized: the user on whose behalf (the delegation root).
    public var authorizedBy: String?
    /// Who executed: the agent instance's SPIFFE ID.
    public var executedBy: String?
    public var agent: String?
    public var sponsor: String?
    public var action: String?
    public var resource: String?
    public var decision: Decision?
    /// The determining policies.
    public var policies: [String] = []
    public var policyVersion: String?
    /// Guardrail findings, each a JSON object.
    public var findings: [JSONValue] = []
    /// A digest of the request (payloads are not stored unless configured), e.g. `sha256:…`.
    public var requestDigest: String?
    public var session: String?
    public var traceID: String?
    /// Anything else, as a JSON object without fractional numbers.
    public var details: [String: JSONValue] = [:]

    public init(kind: Kind, event: String? = nil) {
        self.kind = kind
        self.event = event
    }

    /// The record's JSON members.
    enum Field: String, CaseIterable {
        case version = "v", time, kind, event, authorizedBy = "authorized_by", executedBy = "executed_by", agent, sponsor
        case action, resource, decision, policies, policyVersion = "policy_version", findings
        case requestDigest = "request_digest", session, traceID = "trace_id", details
    }

    /// The record as a JSON object; absent optional fields are left out.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            Field.version.rawValue: .integer(Self.formatVersion),
            Field.time.rawValue: .string(AuditTime.format(microseconds: time)),
            Field.kind.rawValue: .string(kind.rawValue),
        ]
        let optionalTexts: [(Field, String?)] = [
            (.event, event), (.authorizedBy, authorizedBy), (.executedBy, executedBy), (.agent, agent), (.sponsor, sponsor),
            (.action, action), (.resource, resource), (.decision, decision?.rawValue), (.policyVersion, policyVersion),
            (.requestDigest, requestDigest), (.session, session), (.traceID, traceID),
        ]
        for case let (field, text?) in optionalTexts { object[field.rawValue] = .string(text) }
        if !policies.isEmpty { object[Field.policies.rawValue] = .array(policies.map(JSONValue.string)) }
        if !findings.isEmpty { object[Field.findings.rawValue] = .array(findings) }
        if !details.isEmpty { object[Field.details.rawValue] = .object(details) }
        return .object(object)
    }

    /// The bytes that are hashed into the log: canonical JSON (``CanonicalJSON``) of ``json``,
    /// written field by field in canonical order without building the JSON tree first.
    public func canonicalBytes() throws(CustosError) -> [UInt8] {
        try validate()
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(512)
        var isFirst = true
        func key(_ field: Field) {
            if !isFirst { output.append(UInt8(ascii: ",")) }
            isFirst = false
            CanonicalJSON.writeString(field.rawValue, into: &output)
            output.append(UInt8(ascii: ":"))
        }
        func text(_ field: Field, _ value: String?) {
            guard let value else { return }
            key(field)
            CanonicalJSON.writeString(value, into: &output)
        }
        do {
            // Members in the order of their names' UTF-16 code units; a property test checks this
            // against the generic encoder.
            text(.action, action)
            text(.agent, agent)
            text(.authorizedBy, authorizedBy)
            text(.decision, decision?.rawValue)
            if !details.isEmpty {
                key(.details)
                try CanonicalJSON.write(.object(details), into: &output)
            }
            text(.event, event)
            text(.executedBy, executedBy)
            if !findings.isEmpty {
                key(.findings)
                try CanonicalJSON.write(.array(findings), into: &output)
            }
            text(.kind, kind.rawValue)
            if !policies.isEmpty {
                key(.policies)
                try CanonicalJSON.write(.array(policies.map(JSONValue.string)), into: &output)
            }
            text(.policyVersion, policyVersion)
            text(.requestDigest, requestDigest)
            text(.resource, resource)
            text(.session, session)
            text(.sponsor, sponsor)
            text(.time, AuditTime.format(microseconds: time))
            text(.traceID, traceID)
            key(.version)
            output += Array(String(Self.formatVersion).utf8)
        } catch {
            throw .invalidRequest("\(error)")
        }
        output.append(UInt8(ascii: "}"))
        guard output.count <= Self.maximumBytes else {
            throw .invalidRequest("the audit record is larger than \(Self.maximumBytes) bytes")
        }
        return output
    }

    /// Bounds on every text field, so no record can carry control characters or unbounded text.
    func validate() throws(CustosError) {
        let texts: [(String, String?)] = [
            ("event", event), ("authorized_by", authorizedBy), ("executed_by", executedBy), ("agent", agent),
            ("sponsor", sponsor), ("action", action), ("resource", resource), ("policy_version", policyVersion),
            ("request_digest", requestDigest), ("session", session), ("trace_id", traceID),
        ]
        for case let (field, text?) in texts { try Limits.text(text, field, required: true, max: Limits.longText) }
        guard policies.count <= 1024 else { throw .invalidRequest("policies has more than 1024 items") }
        for policy in policies { try Limits.text(policy, "policies", required: true, max: Limits.longText) }
        guard findings.count <= 256 else { throw .invalidRequest("findings has more than 256 items") }
        guard findings.allSatisfy({ if case .object = $0 { true } else { false } }) else {
            throw .invalidRequest("every finding must be a JSON object")
        }
    }

    /// Reads a record from its JSON form (as stored or exported). Unknown fields, wrong types and a
    /// different format version are errors.
    public init(json: JSONValue) throws(CustosError) {
        guard case .object(let object) = json else { throw .invalidRequest("an audit record is a JSON object") }
        for key in object.keys where Field(rawValue: key) == nil { throw .invalidRequest("unknown audit record field `\(key)`") }
        func text(_ field: Field) throws(CustosError) -> String? {
            guard let value = object[field.rawValue] else { return nil }
            guard case .string(let s) = value else { throw .invalidRequest("`\(field.rawValue)` must be a string") }
            return s
        }
        guard object[Field.version.rawValue] == .integer(Self.formatVersion) else {
            throw .invalidRequest("unsupported audit record version")
        }
        guard let kindText = try text(.kind), let kind = Kind(rawValue: kindText) else {
            throw .invalidRequest("`kind` must be one of \(Kind.allCases.map(\.rawValue))")
        }
        guard let timeText = try text(.time), let time = AuditTime.parse(timeText) else {
            throw .invalidRequest("`time` must be RFC 3339 UTC with six fractional digits")
        }
        self.init(kind: kind, event: try text(.event))
        self.time = time
        authorizedBy = try text(.authorizedBy)
        executedBy = try text(.executedBy)
        agent = try text(.agent)
        sponsor = try text(.sponsor)
        action = try text(.action)
        resource = try text(.resource)
        if let decisionText = try text(.decision) {
            guard let decision = Decision(rawValue: decisionText) else { throw .invalidRequest("unknown decision `\(decisionText)`") }
            self.decision = decision
        }
        policyVersion = try text(.policyVersion)
        requestDigest = try text(.requestDigest)
        session = try text(.session)
        traceID = try text(.traceID)
        if let value = object[Field.policies.rawValue] {
            guard case .array(let items) = value, let names = Optional(items.compactMap(\.stringValue)), names.count == items.count
            else { throw .invalidRequest("`policies` must be an array of strings") }
            policies = names
        }
        if let value = object[Field.findings.rawValue] {
            guard case .array(let items) = value else { throw .invalidRequest("`findings` must be an array") }
            findings = items
        }
        if let value = object[Field.details.rawValue] {
            guard case .object(let fields) = value else { throw .invalidRequest("`details` must be an object") }
            details = fields
        }
        try validate()
    }

    /// Fields an agent may set on an event it appends itself; everything else comes from its credential.
    public static let externalFields: Set<String> = [
        "event", "authorized_by", "action", "resource", "session", "trace_id", "request_digest", "details", "findings",
    ]

    /// An event sent by an agent's SDK: `{"event": …, "action"?, "resource"?, "session"?, "trace_id"?,
    /// "request_digest"?, "authorized_by"?, "details"?}`. Who executed is taken from the caller's
    /// verified identity, never from the body.
    public init(externalEvent json: JSONValue, agent: String, executedBy: String, sponsor: String?) throws(CustosError) {
        guard case .object(let object) = json else { throw .invalidRequest("an event is a JSON object") }
        for key in object.keys where !Self.externalFields.contains(key) {
            throw .invalidRequest("unknown or reserved event field `\(key)`")
        }
        var fields = object
        fields[Field.version.rawValue] = .integer(Self.formatVersion)
        fields[Field.time.rawValue] = .string(AuditTime.format(microseconds: 0))
        fields[Field.kind.rawValue] = .string(Kind.external.rawValue)
        try self.init(json: .object(fields))
        guard event != nil else { throw .invalidRequest("the field `event` is required") }
        self.agent = agent
        self.executedBy = executedBy
        self.sponsor = sponsor
    }

    /// Reads stored canonical bytes.
    public init(canonicalBytes bytes: some Collection<UInt8>) throws(CustosError) {
        let json: JSONValue
        do {
            json = try JSONValue.decode(Data(bytes))
        } catch {
            throw .invalidRequest("an audit record is not valid JSON: \(error)")
        }
        try self.init(json: json)
    }
}

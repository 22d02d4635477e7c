import Cedar
import CustosAudit
import Testing

@Suite struct OCSFExportTests {
    static func field(_ value: JSONValue, _ path: String...) -> JSONValue? {
        var current: JSONValue? = value
        for key in path { current = current?[key] }
        return current
    }

    @Test func decisionsCarryTheSecurityControlOutcome() {
        var record = AuditRecord(kind: .decision)
        record.time = 1_795_786_171_123_456
        record.action = "delete"
        record.resource = "Dataset::\"crm\""
        record.agent = "bot"
        record.executedBy = "spiffe://custos.local/agent/bot/i/1"
        record.authorizedBy = "User::\"alice\""
        record.decision = .deny
        record.policies = ["no-deletes", "p2"]
        record.policyVersion = "v7"
        record.traceID = "t-1"
        let event = OCSFExport.event(for: record, index: 41, leafHash: .leaf([1]), origin: "custos.local/audit")
        #expect(Self.field(event, "class_uid") == .integer(6003))
        #expect(Self.field(event, "activity_id") == .integer(4))
        #expect(Self.field(event, "type_uid") == .integer(600_304))
        #expect(Self.field(event, "time") == .integer(1_795_786_171_123))
        #expect(Self.field(event, "action_id") == .integer(2))
        #expect(Self.field(event, "disposition_id") == .integer(2))
        #expect(Self.field(event, "status_id") == .integer(2))
        #expect(Self.field(event, "policy", "name") == .string("no-deletes"))
        #expect(Self.field(event, "policy", "version") == .string("v7"))
        #expect(Self.field(event, "actor", "user", "uid") == .string("User::\"alice\""))
        #expect(Self.field(event, "actor", "app_uid") == .string("spiffe://custos.local/agent/bot/i/1"))
        #expect(Self.field(event, "metadata", "uid") == .string("custos.local/audit/41"))
        #expect(Self.field(event, "metadata", "correlation_uid") == .string("t-1"))
        #expect(Self.field(event, "metadata", "profiles") == .array(["security_control"]))
        #expect(Self.field(event, "unmapped", "custos", "policies") == .array(["no-deletes", "p2"]))
    }

    @Test func eventsMapToCRUDActivities() {
        for (name, activity) in [("agent.registered", 1), ("agent.suspended", 3), ("agent.deleted", 4), ("prompt.sent", 99)] {
            let event = OCSFExport.event(
                for: AuditRecord(kind: .event, event: name), index: 0, leafHash: .emptyTree, origin: "o")
            #expect(Self.field(event, "activity_id") == .integer(Int64(activity)), "\(name)")
            #expect(Self.field(event, "action_id") == nil)
            #expect(Self.field(event, "api", "operation") == .string(name))
        }
        var pending = AuditRecord(kind: .decision)
        pending.decision = .needsApproval
        let event = OCSFExport.event(for: pending, index: 0, leafHash: .emptyTree, origin: "o")
        #expect(Self.field(event, "action_id") == .integer(2))
        #expect(Self.field(event, "disposition_id") == .integer(99))
    }

    @Test func guardrailFindingsBecomeFindingEvents() {
        var record = AuditRecord(kind: .decision)
        record.time = 1_795_786_171_123_456
        record.action = "call_tool"
        record.resource = "Tool::\"crm/export\""
        record.decision = .deny
        record.findings = [
            .object(["detector": "pii", "type": "EMAIL_ADDRESS", "score": .integer(1)]),
            .object(["detector": "pii", "type": "CREDIT_CARD", "score": .double(0.95)]),
            .object(["detector": "secrets", "type": "AWS_ACCESS_KEY_ID"]),
            .object(["detector": "injection", "type": "prompt_injection", "score": .double(0.91)]),
            .object(["detector": "custom", "type": "x"]),
        ]
        let events = OCSFExport.events(for: record, index: 7, leafHash: .emptyTree, origin: "o")
        #expect(events.map { Self.field($0, "class_uid") } == [.integer(6003), .integer(2004), .integer(2006)])
        let detection = events[1]
        #expect(Self.field(detection, "type_uid") == .integer(200_401))
        #expect(Self.field(detection, "category_uid") == .integer(2))
        #expect(Self.field(detection, "finding_info", "uid") == .string("o/7/detection"))
        #expect(Self.field(detection, "finding_info", "types") == .array(["prompt_injection"]))
        #expect(Self.field(detection, "confidence_score") == .integer(91))
        #expect(Self.field(detection, "metadata", "uid") == .string("o/7"))
        let data = events[2]
        #expect(Self.field(data, "type_uid") == .integer(200_601))
        #expect(Self.field(data, "finding_info", "types") == .array(["EMAIL_ADDRESS", "CREDIT_CARD", "AWS_ACCESS_KEY_ID"]))
        #expect(Self.field(data, "data_security", "category_id") == .integer(99))
        #expect(Self.field(data, "severity_id") == .integer(4))
        #expect(Self.field(data, "resources") == .array([.object(["uid": "Tool::\"crm/export\""])]))
        // One kind of personal data gives its category; nothing to find gives no finding event.
        record.findings = [.object(["detector": "pii", "type": "US_SSN"])]
        let governmental = OCSFExport.events(for: record, index: 8, leafHash: .emptyTree, origin: "o")
        #expect(governmental.count == 2)
        #expect(Self.field(governmental[1], "data_security", "category_id") == .integer(2))
        record.findings = [.object(["detector": "custom"])]
        #expect(OCSFExport.events(for: record, index: 9, leafHash: .emptyTree, origin: "o").count == 1)
    }

    @Test func toolEventsBecomeDetectionFindings() {
        var record = AuditRecord(kind: .event, event: "tool.poisoning")
        record.details = ["server": "files", "tool": "read_file", "kind": "hidden_instructions", "detail": "<IMPORTANT> block"]
        let events = OCSFExport.events(for: record, index: 3, leafHash: .emptyTree, origin: "o")
        #expect(events.count == 2)
        #expect(Self.field(events[1], "class_uid") == .integer(2004))
        #expect(Self.field(events[1], "severity_id") == .integer(4))
        #expect(Self.field(events[1], "finding_info", "types") == .array(["tool.poisoning", "hidden_instructions"]))
        #expect(Self.field(events[1], "resources") == .array([.object(["uid": "files/read_file", "name": "read_file", "type": "MCP tool"])]))
        record.event = "tool.pinned"
        #expect(OCSFExport.events(for: record, index: 4, leafHash: .emptyTree, origin: "o").count == 1)
    }
}

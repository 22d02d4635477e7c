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
}

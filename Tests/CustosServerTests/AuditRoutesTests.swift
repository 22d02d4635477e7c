import CustosAudit
import CustosCore
import CustosServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The audit log through the HTTP API: control-plane events are recorded, checkpoints, proofs and
/// bundles verify offline, and agents append events under their own verified identity.
let custosNextHeader = HTTPField.Name("Custos-Next")!

@Suite struct AuditRoutesTests {
    /// A JWT-SVID for `bot` with the audit log's origin as audience.
    static func agentToken(_ client: some TestClientProtocol, _ test: TestPlane) async throws -> String {
        let join = try await IdentityTests.joinToken(client, test)
        let exchange = IdentityTests.form([
            "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join,
            "audience": test.plane.audit.origin, "instance": "pod-1",
        ])
        return try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: exchange) {
            json($0.body)["access_token"] as? String ?? ""
        }
    }

    @Test func controlPlaneEventsAreRecordedAndProvable() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            _ = try await Self.agentToken(client, test)
            try await client.execute(uri: "/v1/agents/bot/suspend", method: .post, headers: test.bearer) { _ in }
            let events = try await client.execute(uri: "/v1/audit/records?kind=event", method: .get, headers: test.bearer) {
                response in
                #expect(response.status == .ok)
                let records = json(response.body)["records"] as? [[String: Any]] ?? []
                return records.compactMap { ($0["record"] as? [String: Any])?["event"] as? String }
            }
            #expect(events == ["agent.registered", "join_token.issued", "credential.issued", "credentials.revoked", "agent.suspended"])
            try await client.execute(uri: "/v1/audit/records?agent=bot&event=credential.issued", method: .get, headers: test.bearer) {
                let records = json($0.body)["records"] as? [[String: Any]] ?? []
                let record = records.first?["record"] as? [String: Any] ?? [:]
                #expect(record["executed_by"] as? String == "spiffe://custos.local/agent/bot/i/pod-1")
                #expect(record["sponsor"] as? String == "dana@example.com")
            }

            let note = try await client.execute(uri: "/v1/audit/checkpoints", method: .post, headers: test.bearer) { response in
                #expect(response.status == .created)
                return String(buffer: response.body)
            }
            let verifierKey = try await client.execute(uri: "/v1/audit", method: .get, headers: test.bearer) {
                json($0.body)["verifier_key"] as? String ?? ""
            }
            let checkpoint = try Checkpoint.open(note, verifier: try NoteVerifier(verifierKey: verifierKey))
            #expect(checkpoint.size == 5)
            try await client.execute(uri: "/v1/audit/proofs/inclusion?index=2", method: .get, headers: test.bearer) { response in
                let body = json(response.body)
                let proof = (body["proof"] as? [String] ?? []).map { Array(Data(base64Encoded: $0) ?? Data()) }
                let leaf = Array(Data(base64Encoded: body["leaf_hash"] as? String ?? "") ?? Data())
                #expect(throws: Never.self) {
                    try ProofVerification.verifyInclusion(
                        leafHash: leaf, index: 2, treeSize: checkpoint.size, proof: proof, root: checkpoint.root.bytes)
                }
            }
            let bundle = try await client.execute(uri: "/v1/audit/bundle?from=1&count=2", method: .get, headers: test.bearer) {
                try AuditBundle(data: Data($0.body.readableBytesView))
            }
            let report = bundle.verify(with: try NoteVerifier(verifierKey: verifierKey))
            #expect(report.isValid && report.verified == 2, "\(report.problems)")
            var forged = bundle
            forged.records[1].record = forged.records[1].record.replacingOccurrences(of: "join_token", with: "admin")
            #expect(forged.verify(with: try NoteVerifier(verifierKey: verifierKey)).firstBadIndex == 2)
        }
    }

    @Test func recordsExportAsJSONLinesAndOCSF() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            _ = try await IdentityTests.joinToken(client, test)
            try await client.execute(uri: "/v1/agents/bot", method: .delete, headers: test.bearer) { _ in }
            let lines = try await client.execute(uri: "/v1/audit/export?format=ocsf&limit=2", method: .get, headers: test.bearer) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                #expect(response.headers[custosNextHeader] == "1")
                return String(buffer: response.body).split(separator: "\n").map { json(ByteBuffer(string: String($0))) }
            }
            #expect(lines.count == 2)
            let first = lines.first ?? [:]
            #expect(first["class_uid"] as? Int == 6003)
            #expect(first["activity_id"] as? Int == 1)
            #expect(first["type_uid"] as? Int == 600_301)
            #expect((first["metadata"] as? [String: Any])?["uid"] as? String == "custos.local/audit/0")
            #expect((first["actor"] as? [String: Any])?["app_name"] as? String == "bot")
            #expect(((first["unmapped"] as? [String: Any])?["custos"] as? [String: Any])?["event"] as? String == "agent.registered")
            try await client.execute(uri: "/v1/audit/export?after=1", method: .get, headers: test.bearer) { response in
                let records = String(buffer: response.body).split(separator: "\n").map { json(ByteBuffer(string: String($0))) }
                #expect(records.map { ($0["record"] as? [String: Any])?["event"] as? String } == ["agent.deleted"])
                #expect(response.headers[custosNextHeader] == nil)
            }
            try await client.execute(uri: "/v1/audit/export?format=cef", method: .get, headers: test.bearer) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test func agentsAppendEventsUnderTheirOwnIdentity() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let token = try await Self.agentToken(client, test)
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let event = #"{"event": "prompt.sent", "session": "s-1", "details": {"model": "m", "tokens": 12}}"#
            let index = try await client.execute(
                uri: "/v1/audit/events", method: .post, headers: headers, body: ByteBuffer(string: event)
            ) { response in
                #expect(response.status == .created)
                return json(response.body)["index"] as? Int ?? -1
            }
            try await client.execute(uri: "/v1/audit/records/\(index)", method: .get, headers: test.bearer) { response in
                let record = json(response.body)["record"] as? [String: Any] ?? [:]
                #expect(record["kind"] as? String == "external")
                #expect(record["agent"] as? String == "bot")
                #expect(record["executed_by"] as? String == "spiffe://custos.local/agent/bot/i/pod-1")
            }
            // Findings of the agent's own guardrails reach SIEMs as OCSF findings.
            let scanned = #"{"event": "prompt.scanned", "findings": [{"detector": "pii", "type": "EMAIL_ADDRESS", "score": 1}]}"#
            let scannedIndex = try await client.execute(
                uri: "/v1/audit/events", method: .post, headers: headers, body: ByteBuffer(string: scanned)
            ) { json($0.body)["index"] as? Int ?? -1 }
            try await client.execute(uri: "/v1/audit/export?format=ocsf&after=\(scannedIndex - 1)", method: .get, headers: test.bearer) {
                let lines = String(buffer: $0.body).split(separator: "\n").map { json(ByteBuffer(string: String($0))) }
                #expect(lines.map { $0["class_uid"] as? Int } == [6003, 2006])
            }
            // The body cannot claim another identity, and bad bodies change nothing.
            let size = test.plane.audit.health.size
            for body in [#"{"event": "x", "agent": "someone-else"}"#, #"{"event": "x", "executed_by": "spiffe://x"}"#,
                #"{"action": "no event"}"#, #"{"event": "x", "details": {"ratio": 0.5}}"#, #"{"event": "x", "findings": [1]}"#, #"{"event": "x", "event": "y"}"#, "[]", "{"]
            {
                try await client.execute(uri: "/v1/audit/events", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    #expect($0.status == .badRequest, "\(body)")
                }
            }
            #expect(test.plane.audit.health.size == size)
            // The admin token is not an agent credential, and an agent credential is not an admin token.
            try await client.execute(uri: "/v1/audit/events", method: .post, headers: test.bearer, body: ByteBuffer(string: event)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/audit/records", method: .get, headers: headers) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func metricsShowTheLogAndTheRegistry() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            _ = try await IdentityTests.joinToken(client, test)
            try await client.execute(uri: "/v1/audit/checkpoints", method: .post, headers: test.bearer) { _ in }
            let text = try await client.execute(uri: "/v1/metrics", method: .get, headers: test.bearer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: response.body)
            }
            let lines = Set(text.split(separator: "\n").map(String.init))
            let size = test.plane.audit.health.size
            for expected in [
                "custos_audit_records \(size)", "custos_audit_writable 1", "custos_audit_failed_appends_total 0",
                "custos_audit_failed_checkpoints_total 0",
                "custos_audit_checkpoint_records \(size)", "custos_audit_pruned_before 0", "# TYPE custos_audit_records gauge",
                "custos_agents{status=\"active\"} 1", "custos_agents{status=\"suspended\"} 0",
                "custos_decisions_total{outcome=\"allow\"} 0", "# TYPE custos_decisions_total counter",
            ] {
                #expect(lines.contains(expected), "\(expected)")
            }
            try await client.execute(uri: "/v1/metrics", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/metrics", method: .post, headers: test.bearer) { #expect($0.status == .methodNotAllowed) }
        }
    }

    @Test func badParametersAreClearErrors() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            for uri in ["/v1/audit/records?limit=0", "/v1/audit/records?after=-1", "/v1/audit/records?from=yesterday",
                "/v1/audit/records?decision=maybe", "/v1/audit/proofs/inclusion",
                "/v1/audit/proofs/consistency?from=0", "/v1/audit/bundle?count=0", "/v1/audit/records/x"]
            {
                try await client.execute(uri: uri, method: .get, headers: test.bearer) { #expect($0.status == .badRequest, "\(uri)") }
            }
            try await client.execute(uri: "/v1/audit/checkpoint", method: .get, headers: test.bearer) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/audit/records/5", method: .get, headers: test.bearer) { #expect($0.status == .notFound) }
            for uri in ["/v1/audit/proofs/inclusion?index=0", "/v1/audit/proofs/consistency?from=1", "/v1/audit/bundle"] {
                try await client.execute(uri: uri, method: .get, headers: test.bearer) { #expect($0.status == .notFound, "\(uri)") }
            }
            // Any RFC 3339 time is accepted as a bound.
            for time in ["2026-11-27T13:00:00Z", "2026-11-27t13:00:00.5+01:00", "1999-12-31T23:59:60Z", "0001-01-01T00:00:00-00:30"] {
                let query = time.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                try await client.execute(uri: "/v1/audit/records?from=\(query)", method: .get, headers: test.bearer) {
                    #expect($0.status == .ok, "\(time)")
                }
            }
            try await client.execute(uri: "/v1/audit/checkpoints", method: .get, headers: test.bearer) {
                #expect($0.status == .methodNotAllowed)
            }
        }
    }
}

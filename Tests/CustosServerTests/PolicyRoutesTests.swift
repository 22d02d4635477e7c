import CustosAudit
import CustosCore
import CustosServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The policy store and the decision point through the HTTP API, on the shipped agent schema.
@Suite struct PolicyRoutesTests {
    static func push(_ text: String, activate: Bool = true) -> ByteBuffer {
        let body = try! JSONSerialization.data(withJSONObject: ["policies": text, "message": "test", "activate": activate])
        return ByteBuffer(bytes: body)
    }

    static let financeReads = #"@id("finance-reads") permit (principal in Group::"finance", action == Action::"read", resource);"#

    static func evaluation(subject: String = #"{"type": "Agent", "id": "bot"}"#) -> ByteBuffer {
        ByteBuffer(string: #"{"subject": \#(subject), "action": {"name": "read"}, "resource": {"type": "Dataset", "id": "crm"}, "options": {"explain": true}}"#)
    }

    @Test func pushHistoryDiffRollbackAndInvalidSets() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/v1/policies", method: .post, headers: test.bearer, body: Self.push(Self.financeReads)) {
                #expect($0.status == .created)
                #expect(json($0.body)["version"] as? Int == 1)
            }
            // Does not validate against the agent schema: refused, nothing changes.
            let invalid = #"permit (principal, action == Action::"read", resource) when { resource.nonexistent };"#
            try await client.execute(uri: "/v1/policies", method: .post, headers: test.bearer, body: Self.push(invalid)) { response in
                #expect(response.status == .badRequest)
                #expect((json(response.body)["message"] as? String)?.contains("nonexistent") == true)
            }
            try await client.execute(uri: "/v1/policies", method: .post, headers: test.bearer, body: Self.push("permit (")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/policies", method: .get, headers: test.bearer) { response in
                let history = json(response.body)
                #expect(history["active"] as? Int == 1)
                #expect((history["versions"] as? [Any])?.count == 1)
            }
            let open = #"@id("all-read") permit (principal, action == Action::"read", resource);"#
            try await client.execute(uri: "/v1/policies", method: .post, headers: test.bearer, body: Self.push(open, activate: false)) {
                #expect(json($0.body)["active"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/policies/diff?from=1&to=2", method: .get, headers: test.bearer) { response in
                let diff = json(response.body)
                #expect(diff["added"] as? [String] == ["all-read"])
                #expect(diff["removed"] as? [String] == ["finance-reads"])
            }
            let dryRun = ByteBuffer(string: #"{"version": 2, "requests": [{"subject": {"type": "Agent", "id": "bot"}, "action": {"name": "read"}, "resource": {"type": "Dataset", "id": "crm"}}]}"#)
            try await client.execute(uri: "/v1/policies/dry-run", method: .post, headers: test.bearer, body: dryRun) { response in
                #expect(response.status == .ok)
                let answer = json(response.body)
                #expect(answer["changed"] as? Int == 1)
                let result = (answer["results"] as? [[String: Any]])?.first
                #expect((result?["active"] as? [String: Any])?["outcome"] as? String == "deny")
                #expect((result?["candidate"] as? [String: Any])?["outcome"] as? String == "allow")
            }
            try await client.execute(uri: "/v1/policies/2/activate", method: .post, headers: test.bearer) {
                #expect(json($0.body)["active"] as? Int == 2)
            }
            try await client.execute(uri: "/v1/policies/rollback", method: .post, headers: test.bearer, body: ByteBuffer(string: "{}")) {
                #expect(json($0.body)["active"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/policies/1", method: .get, headers: test.bearer) { response in
                #expect(json(response.body)["policies"] as? String == Self.financeReads)
                #expect(json(response.body)["active"] as? Bool == true)
            }
            try await client.execute(uri: "/v1/policies/9", method: .get, headers: test.bearer) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/policies", method: .get) { #expect($0.status == .unauthorized) }
            let events = try await client.execute(uri: "/v1/audit/records?kind=event", method: .get, headers: test.bearer) {
                (json($0.body)["records"] as? [[String: Any]] ?? []).compactMap { ($0["record"] as? [String: Any])?["event"] as? String }
            }
            #expect(events == ["policy.activated", "policy.pushed", "policy.activated", "policy.activated"])
        }
    }

    @Test func decisionsFollowTheRegistryAndAreAudited() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/v1/policies", method: .post, headers: test.bearer, body: Self.push(Self.financeReads)) { _ in }
            let agent = ByteBuffer(string: #"{"id": "bot", "name": "Bot", "sponsor": "dana@example.com", "groups": ["finance"]}"#)
            try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: agent) { _ in }
            var headers = test.bearer
            headers[HTTPField.Name("X-Request-ID")!] = "req-42"
            try await client.execute(uri: "/access/v1/evaluation", method: .post, headers: headers, body: Self.evaluation()) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-Request-ID")!] == "req-42")
                #expect(response.headers[HTTPField.Name("Custos-Policy-Version")!] == "1")
                let answer = json(response.body)
                #expect(answer["decision"] as? Bool == true)
                #expect((answer["context"] as? [String: Any])?["reason"] as? [String] == ["finance-reads"])
            }
            // The registry changes; the next decision sees it without a restart.
            let update = ByteBuffer(string: #"{"groups": ["marketing"]}"#)
            try await client.execute(uri: "/v1/agents/bot", method: .patch, headers: test.bearer, body: update) { _ in }
            try await client.execute(uri: "/access/v1/evaluation", method: .post, headers: test.bearer, body: Self.evaluation()) {
                #expect(json($0.body)["decision"] as? Bool == false)
            }
            // A caller's claim does not override what the registry says.
            let claimed = Self.evaluation(subject: #"{"type": "Agent", "id": "bot", "properties": {"status": "x"}}"#)
            try await client.execute(uri: "/access/v1/evaluation", method: .post, headers: test.bearer, body: claimed) {
                #expect($0.status == .ok)
            }
            let decisions = try await client.execute(uri: "/v1/audit/records?kind=decision", method: .get, headers: test.bearer) {
                (json($0.body)["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
            }
            #expect(decisions.map { $0["decision"] as? String } == ["allow", "deny", "deny"])
            #expect(decisions.first?["executed_by"] as? String == #"Agent::"bot""#)
            #expect(decisions.first?["policy_version"] as? String == "1")
            #expect(decisions.first?["trace_id"] as? String == "req-42")
        }
    }

    @Test func theDecisionPointRequiresACredential() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(
                uri: "/access/v1/evaluation", method: .post, headers: [HTTPField.Name("X-Request-ID")!: "r1"], body: Self.evaluation()
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[HTTPField.Name("X-Request-ID")!] == "r1")
            }
            // An agent credential for the PDP audience works only with the `pdp:evaluate` scope.
            for (agent, scopes, expected) in [("gw", #"["pdp:evaluate"]"#, HTTPResponse.Status.ok), ("other", "[]", .forbidden)] {
                let body = #"{"id": "\#(agent)", "name": "G", "sponsor": "dana@example.com", "blueprint": {"scopes": \#(scopes)}}"#
                try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) { _ in }
                let join = try await client.execute(uri: "/v1/agents/\(agent)/join-tokens", method: .post, headers: test.bearer) {
                    json($0.body)["token"] as? String ?? ""
                }
                let exchange = IdentityTests.form([
                    "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join, "audience": "custos-pdp",
                ])
                let token = try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: exchange) {
                    json($0.body)["access_token"] as? String ?? ""
                }
                try await client.execute(
                    uri: "/access/v1/evaluation", method: .post, headers: [.authorization: "Bearer \(token)"], body: Self.evaluation()
                ) { #expect($0.status == expected) }
            }
            let huge = ByteBuffer(repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024)
            try await client.execute(uri: "/access/v1/evaluation", method: .post, headers: test.bearer, body: huge) {
                #expect($0.status == .badRequest)
            }
            let deep = ByteBuffer(string: String(repeating: "[", count: 10_000))
            try await client.execute(uri: "/access/v1/evaluations", method: .post, headers: test.bearer, body: deep) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/.well-known/authzen-configuration", method: .get) { response in
                #expect((json(response.body)["access_evaluations_endpoint"] as? String)?.hasSuffix("/access/v1/evaluations") == true)
            }
        }
    }
}

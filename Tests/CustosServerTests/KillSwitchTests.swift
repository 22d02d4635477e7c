import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The kill switch over real HTTP: what each scope revokes, what it leaves alone, and that it survives
/// a restart.
@Suite struct KillSwitchTests {
    static let audience = "https://tools.example.com"

    /// Registers `id` and returns a JWT-SVID for `instance`, obtained with a fresh join token.
    static func register(_ client: some TestClientProtocol, _ test: TestPlane, _ id: String, sponsor: String, zone: String)
        async throws
    {
        let body = #"{"id": "\#(id)", "name": "\#(id)", "sponsor": "\#(sponsor)", "zone": "\#(zone)"}"#
        try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) {
            #expect($0.status == .created)
        }
    }

    /// A JWT-SVID for `instance` of `id` via a new join token; nil with the OAuth error code when refused.
    static func credential(_ client: some TestClientProtocol, _ test: TestPlane, _ id: String, instance: String)
        async throws -> (token: String?, error: String?)
    {
        let join = try await client.execute(uri: "/v1/agents/\(id)/join-tokens", method: .post, headers: test.bearer) {
            json($0.body)["token"] as? String
        }
        guard let join else { return (nil, "no join token") }
        let form = IdentityTests.form([
            "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join, "audience": audience,
            "instance": instance,
        ])
        return try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: form) {
            let body = json($0.body)
            return (body["access_token"] as? String, body["error"] as? String)
        }
    }

    static func kill(_ client: some TestClientProtocol, _ test: TestPlane, _ scope: String, _ target: String)
        async throws -> (status: HTTPResponse.Status, body: [String: Any])
    {
        let body = #"{"scope": "\#(scope)", "target": "\#(target)", "reason": "test"}"#
        return try await client.execute(uri: "/v1/kill", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) {
            ($0.status, json($0.body))
        }
    }

    static func verifies(_ test: TestPlane, _ token: String?) -> Bool {
        guard let token else { return false }
        return (try? test.plane.verifier.verify(token, audience: audience, now: Date())) != nil
    }

    @Test func eachScopeRevokesWhatItNamesAndNothingElse() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            for (id, sponsor, zone) in [("a1", "dana", "prod"), ("a2", "dana", "dev"), ("a3", "erin", "prod"), ("a4", "erin", "dev")] {
                try await Self.register(client, test, id, sponsor: sponsor, zone: zone)
            }
            var tokens: [String: String?] = [:]
            for id in ["a1", "a2", "a3", "a4"] { tokens[id] = try await Self.credential(client, test, id, instance: "p1").token }
            let second = try await Self.credential(client, test, "a4", instance: "p2").token
            #expect(tokens.values.allSatisfy { Self.verifies(test, $0) } && Self.verifies(test, second))

            // An instance: only that instance's credential, the agent stays active, the name stays burnt.
            var (status, body) = try await Self.kill(client, test, "instance", "a4/p1")
            #expect(status == .ok && (body["suspended"] as? [String]) == [])
            #expect(!Self.verifies(test, tokens["a4"]!) && Self.verifies(test, second))
            #expect(try await Self.credential(client, test, "a4", instance: "p1").error == "invalid_grant")
            #expect(Self.verifies(test, try await Self.credential(client, test, "a4", instance: "p3").token))

            // A token, by its jti.
            let jti = try test.plane.verifier.verify(second!, audience: Self.audience, now: Date()).claims.jti
            (status, _) = try await Self.kill(client, test, "token", jti)
            #expect(status == .ok && !Self.verifies(test, second))

            // A sponsor: every agent dana sponsors, suspended; erin's untouched.
            (status, body) = try await Self.kill(client, test, "sponsor", "dana")
            #expect(status == .ok && (body["suspended"] as? [String]) == ["a1", "a2"])
            #expect(!Self.verifies(test, tokens["a1"]!) && !Self.verifies(test, tokens["a2"]!))
            #expect(Self.verifies(test, tokens["a3"]!))
            #expect(try await Self.credential(client, test, "a1", instance: "p9").token == nil)

            // Reactivation does not bring the old credential back; a new one works.
            try await client.execute(uri: "/v1/agents/a1/reactivate", method: .post, headers: test.bearer) { #expect($0.status == .ok) }
            #expect(!Self.verifies(test, tokens["a1"]!))
            #expect(Self.verifies(test, try await Self.credential(client, test, "a1", instance: "p9").token))

            // A zone.
            (status, body) = try await Self.kill(client, test, "zone", "prod")
            #expect(status == .ok && (body["suspended"] as? [String]) == ["a1", "a3"])
            #expect(!Self.verifies(test, tokens["a3"]!))

            // The revocations are listed, in epoch order.
            try await client.execute(uri: "/v1/kill", method: .get, headers: test.bearer) { response in
                let list = json(response.body)["revocations"] as? [[String: Any]] ?? []
                #expect(list.compactMap { $0["scope"] as? String } == ["instance", "token", "sponsor", "zone"])
                #expect(json(response.body)["epoch"] as? Int == 4)
            }
            // And audited: the revocation, then each suspension.
            try await client.execute(uri: "/v1/audit/records?kind=event&event=credentials.revoked", method: .get, headers: test.bearer) {
                #expect((json($0.body)["records"] as? [Any])?.count == 4)
            }
        }
        // After a restart, everything revoked stays revoked.
        var configuration = ServerConfiguration()
        configuration.dataDirectory = test.folder.path
        let reopened = try await ControlPlane.open(configuration, logger: testLogger)
        #expect(reopened.revocations.currentEpoch == 4)
        #expect(throws: CustosError.unauthorized("")) {
            try reopened.verifier.verify(
                IdentityTests.signedForTest(reopened, agent: "a4", instance: "p1", epoch: 0), audience: Self.audience, now: Date())
        }
        _ = try reopened.verifier.verify(
            IdentityTests.signedForTest(reopened, agent: "a4", instance: "p3", epoch: 0), audience: Self.audience, now: Date())
    }

    @Test func badKillsAreRefusedAndChangeNothing() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            #expect(try await Self.kill(client, test, "agent", "ghost").status == .notFound)
            #expect(try await Self.kill(client, test, "instance", "ghost/p1").status == .notFound)
            #expect(try await Self.kill(client, test, "instance", "no-slash").status == .badRequest)
            #expect(try await Self.kill(client, test, "planet", "earth").status == .badRequest)
            #expect(try await Self.kill(client, test, "zone", "").status == .badRequest)
            try await client.execute(uri: "/v1/kill", method: .post, body: ByteBuffer(string: #"{"scope": "zone", "target": "prod"}"#)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/kill", method: .get, headers: test.bearer) {
                #expect((json($0.body)["revocations"] as? [Any])?.isEmpty == true)
                #expect(json($0.body)["epoch"] as? Int == 0)
            }
        }
    }

    @Test func aDeletedAgentsCredentialsDoNotComeBackWithItsID() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await Self.register(client, test, "a1", sponsor: "dana", zone: "prod")
            let old = try await Self.credential(client, test, "a1", instance: "p1").token
            try await client.execute(uri: "/v1/agents/a1", method: .delete, headers: test.bearer) { #expect($0.status == .noContent) }
            try await Self.register(client, test, "a1", sponsor: "dana", zone: "prod")
            #expect(!Self.verifies(test, old))
            #expect(Self.verifies(test, try await Self.credential(client, test, "a1", instance: "p1").token))
        }
    }
}

extension IdentityTests {
    /// A JWT-SVID signed with the plane's own key, as if issued in `epoch`.
    static func signedForTest(_ plane: ControlPlane, agent: String, instance: String, epoch: Int) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        return try JWS.sign(
            claims: [
                "sub": "spiffe://\(plane.configuration.trustDomain)/agent/\(agent)/i/\(instance)", "aud": KillSwitchTests.audience,
                "exp": now + 300, "iat": now, "jti": UUID().uuidString, "custos_epoch": epoch,
            ], key: plane.signingKey)
    }
}

@preconcurrency import Crypto
import CustosCore
import CustosIdentity
import CustosPolicy
@testable import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PropertyBased
import Testing
@preconcurrency import _CryptoExtras

/// A stand-in identity provider: signs users' tokens with a P-256 and an RSA key and publishes both.
struct TestIdentityProvider: Sendable {
    static let issuer = "https://idp.example.com"
    let ecKey = P256.Signing.PrivateKey()
    let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    var jwks: Data {
        let ec = Array(ecKey.publicKey.x963Representation)
        let (n, e) = Self.modulusAndExponent(rsaKey.publicKey.pkcs1DERRepresentation)
        let keys: [[String: String]] = [
            ["kty": "EC", "crv": "P-256", "kid": "ec-1", "x": Base64URL.encode(ec[1...32]), "y": Base64URL.encode(ec[33...64])],
            ["kty": "RSA", "kid": "rsa-1", "alg": "RS256", "n": Base64URL.encode(n), "e": Base64URL.encode(e)],
            ["kty": "oct", "kid": "hmac", "k": "c2VjcmV0"],  // skipped: not a key Custos verifies with
        ]
        return try! JSONSerialization.data(withJSONObject: ["keys": keys])
    }

    /// n and e from a PKCS#1 RSAPublicKey (SEQUENCE { INTEGER n, INTEGER e }), leading zeros dropped.
    static func modulusAndExponent(_ der: Data) -> ([UInt8], [UInt8]) {
        let bytes = Array(der)
        var index = 0
        func length() -> Int {
            var count = Int(bytes[index]); index += 1
            if count & 0x80 != 0 {
                let octets = count & 0x7F
                count = 0
                for _ in 0..<octets { count = count << 8 | Int(bytes[index]); index += 1 }
            }
            return count
        }
        index += 1; _ = length()  // SEQUENCE
        index += 1; let nLength = length()
        let n = Array(bytes[index..<index + nLength].drop { $0 == 0 }); index += nLength
        index += 1; let eLength = length()
        let e = Array(bytes[index..<index + eLength])
        return (n, e)
    }

    /// A user's token; `alg` ES256 or RS256; `kid` "" leaves the header's kid out.
    func token(
        sub: String = "alice@example.com", scope: String? = "tickets:read tickets:write payroll:read", aud: String,
        alg: String = "ES256", kid: String? = nil, iss: String = issuer, expiresIn: Int = 600, extra: [String: Any] = [:]
    ) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = ["iss": iss, "sub": sub, "aud": aud, "exp": now + expiresIn, "iat": now]
        if let scope { claims["scope"] = scope }
        claims.merge(extra) { $1 }
        var header: [String: Any] = ["alg": alg, "typ": "JWT", "kid": kid ?? (alg == "ES256" ? "ec-1" : "rsa-1")]
        if kid == "" { header["kid"] = nil }  // "" leaves the kid out
        let input = Self.encode(header) + "." + Self.encode(claims)
        let signature: Data
        if alg == "RS256" {
            signature = try! rsaKey.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5).rawRepresentation
        } else {
            signature = try! ecKey.signature(for: Data(input.utf8)).rawRepresentation
        }
        return input + "." + Base64URL.encode(signature)
    }

    static func encode(_ object: [String: Any]) -> String {
        Base64URL.encode(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

/// Token exchange (RFC 8693), introspection (RFC 7662) and revocation (RFC 7009) over real HTTP.
@Suite struct TokenExchangeTests {
    static let server = "https://tickets.example.com"
    static let exchange = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let jwt = "urn:ietf:params:oauth:token-type:jwt"

    /// A plane that trusts `idp` through a JWKS file.
    static func plane(_ idp: TestIdentityProvider) async throws -> TestPlane {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("idp-\(UUID().uuidString).json")
        try idp.jwks.write(to: file)
        return try await TestPlane { configuration in
            configuration.trustedIssuers = [TrustedIssuerConfiguration(issuer: TestIdentityProvider.issuer, jwksFile: file.path)]
        }
    }

    /// Registers an agent with the given blueprint and returns its JWT-SVID for Custos itself.
    static func agent(
        _ client: some TestClientProtocol, _ test: TestPlane, _ id: String, scopes: [String], depth: Int = 0,
        maySpawn: Bool? = nil, servers: [String] = [server], audience: String? = nil
    ) async throws -> String {
        // By default an agent that may delegate further may also hand its grants to sub-agents.
        let blueprint: [String: Any] = [
            "scopes": scopes, "servers": servers, "max_delegation_depth": depth, "may_spawn": maySpawn ?? (depth > 0),
        ]
        let body = try JSONSerialization.data(withJSONObject: ["id": id, "name": id, "sponsor": "dana", "blueprint": blueprint])
        try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(bytes: body)) {
            #expect($0.status == .created)
        }
        let join = try await client.execute(uri: "/v1/agents/\(id)/join-tokens", method: .post, headers: test.bearer) {
            json($0.body)["token"] as? String ?? ""
        }
        let form = IdentityTests.form([
            "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join,
            "audience": audience ?? test.plane.configuration.effectiveIssuer, "instance": "p1",
        ])
        return try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: form) {
            json($0.body)["access_token"] as? String ?? ""
        }
    }

    /// Posts a token exchange; returns the body.
    static func exchange(
        _ client: some TestClientProtocol, subject: String, actor: String, extra: [String: String] = [:]
    ) async throws -> [String: Any] {
        var fields = [
            "grant_type": exchange, "subject_token": subject, "subject_token_type": jwt, "actor_token": actor,
            "actor_token_type": jwt,
        ]
        fields.merge(extra) { $1 }
        return try await client.execute(
            uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: IdentityTests.form(fields)
        ) { json($0.body) }
    }

    static func introspect(_ client: some TestClientProtocol, _ test: TestPlane, _ token: String) async throws -> [String: Any] {
        var headers = test.bearer
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(
            uri: "/oauth2/introspect", method: .post, headers: headers, body: IdentityTests.form(["token": token])
        ) { json($0.body) }
    }

    /// Handing a grant to another agent needs the holder's `may_spawn`; another instance of the same
    /// agent takes it over without.
    @Test func onlyAnAgentThatMaySpawnHandsItsGrantToAnother() async throws {
        let idp = TestIdentityProvider()
        let test = try await Self.plane(idp)
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let planner = try await Self.agent(client, test, "planner", scopes: ["tickets:read"], depth: 2, maySpawn: false)
            let worker = try await Self.agent(client, test, "worker", scopes: ["tickets:read"])
            let user = idp.token(aud: test.plane.configuration.effectiveIssuer)
            let grant = try #require(
                try await Self.exchange(client, subject: user, actor: planner, extra: ["audience": Self.server])["access_token"] as? String)
            let refused = try await Self.exchange(client, subject: grant, actor: worker)
            #expect(refused["error"] as? String == "invalid_grant")
            #expect((refused["error_description"] as? String)?.contains("may_spawn") == true, "\(refused)")
            // Another instance of the planner itself.
            let join = try await client.execute(uri: "/v1/agents/planner/join-tokens", method: .post, headers: test.bearer) {
                json($0.body)["token"] as? String ?? ""
            }
            let second = try await client.execute(
                uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders,
                body: IdentityTests.form([
                    "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join,
                    "audience": test.plane.configuration.effectiveIssuer, "instance": "p2",
                ])
            ) { json($0.body)["access_token"] as? String ?? "" }
            #expect(try await Self.exchange(client, subject: grant, actor: second)["access_token"] != nil)
        }
    }

    @Test func delegationAttenuatesAlongTheChainAndAKillEndsIt() async throws {
        let idp = TestIdentityProvider()
        let test = try await Self.plane(idp)
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let planner = try await Self.agent(client, test, "planner", scopes: ["tickets:read", "tickets:write"], depth: 1)
            let worker = try await Self.agent(client, test, "worker", scopes: ["tickets:read", "payroll:read"])
            let helper = try await Self.agent(client, test, "helper", scopes: ["tickets:read"])

            // The user's token (RS256 here) and the planner's SVID: scope = parent ∩ blueprint.
            let user = idp.token(aud: issuer, alg: "RS256")
            let first = try await Self.exchange(client, subject: user, actor: planner, extra: ["audience": Self.server])
            #expect(first["scope"] as? String == "tickets:read tickets:write")
            #expect(first["issued_token_type"] as? String == "urn:ietf:params:oauth:token-type:access_token")
            #expect(first["token_type"] as? String == "Bearer")
            let grant = try #require(first["access_token"] as? String)
            let claims = try test.plane.grantVerifier.verify(grant, audience: Self.server, now: Date())
            #expect(claims.sub == "alice@example.com" && claims.subjectIssuer == TestIdentityProvider.issuer)
            #expect(claims.actors == ["spiffe://custos.local/agent/planner/i/p1"] && claims.depth == 1 && claims.depthLimit == 2)

            // The worker gets it passed down: scope narrows to what the worker's blueprint also holds.
            let second = try await Self.exchange(client, subject: grant, actor: worker, extra: ["scope": "tickets:read tickets:write"])
            #expect(second["scope"] as? String == "tickets:read")
            let passed = try #require(second["access_token"] as? String)
            let child = try test.plane.grantVerifier.verify(passed, audience: Self.server, now: Date())
            #expect(child.actors == ["spiffe://custos.local/agent/worker/i/p1", "spiffe://custos.local/agent/planner/i/p1"])
            #expect(child.depth == 2 && child.exp <= claims.exp && child.sub == "alice@example.com")
            // What a policy sees: the worker instance executes, for alice, through the planner.
            let caller = try AgentCaller(grant: child, trustDomain: "custos.local")
            #expect(caller.agent.rawValue == "worker" && caller.instance == "p1" && caller.onBehalfOf == "alice@example.com")
            #expect(caller.chain.map(\.rawValue) == ["planner", "worker"])

            // The planner allowed one hop below it: the worker cannot pass it further.
            let third = try await Self.exchange(client, subject: passed, actor: helper)
            #expect(third["error"] as? String == "invalid_grant")
            // Nor can a grant change audience on the way down.
            let moved = try await Self.exchange(client, subject: grant, actor: worker, extra: ["audience": "https://other.example"])
            #expect(moved["error"] as? String == "invalid_target")

            // Introspection shows the nested act chain.
            let info = try await Self.introspect(client, test, passed)
            #expect(info["active"] as? Bool == true && info["custos_token_kind"] as? String == "grant")
            let act = info["act"] as? [String: Any]
            #expect(act?["sub"] as? String == "spiffe://custos.local/agent/worker/i/p1")
            #expect((act?["act"] as? [String: Any])?["sub"] as? String == "spiffe://custos.local/agent/planner/i/p1")

            // Killing the planner ends both grants, including the one it passed on.
            _ = try await KillSwitchTests.kill(client, test, "agent", "planner")
            #expect(try await Self.introspect(client, test, grant)["active"] as? Bool == false)
            #expect(try await Self.introspect(client, test, passed)["active"] as? Bool == false)

            // The issuance is audited with who authorized and who executed.
            try await client.execute(uri: "/v1/audit/records?event=grant.issued", method: .get, headers: test.bearer) {
                let records = (json($0.body)["records"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
                #expect(records.count == 2)
                #expect(records.first?["authorized_by"] as? String == "alice@example.com")
                #expect(records.first?["executed_by"] as? String == "spiffe://custos.local/agent/planner/i/p1")
            }
        }
    }

    @Test func badSubjectAndActorTokensAreRefused() async throws {
        let idp = TestIdentityProvider()
        let test = try await Self.plane(idp)
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let agent = try await Self.agent(client, test, "planner", scopes: ["tickets:read"])
            let good = idp.token(aud: issuer)
            let header = Base64URL.encode(Data(#"{"alg":"none"}"#.utf8))
            let payload = good.split(separator: ".")[1]
            let stranger = TestIdentityProvider()
            let cases: [(String, String, String, [String: String])] = [
                ("alg none", "\(header).\(payload).", agent, [:]),
                ("unknown kid", idp.token(aud: issuer, kid: "ec-9"), agent, [:]),
                ("signed by another key", stranger.token(aud: issuer), agent, [:]),
                ("untrusted issuer", idp.token(aud: issuer, iss: "https://evil.example"), agent, [:]),
                ("not for Custos", idp.token(aud: "https://elsewhere.example"), agent, [:]),
                ("expired", idp.token(aud: issuer, expiresIn: -120), agent, [:]),
                ("may_act names someone else", idp.token(aud: issuer, extra: ["may_act": ["sub": "spiffe://custos.local/agent/other"]]), agent, [:]),
                ("the actor token is the user's", good, good, [:]),
                ("an SVID for another audience", good, try await Self.agent(client, test, "x1", scopes: ["tickets:read"], audience: Self.server), [:]),
            ]
            for (name, subject, actor, extra) in cases {
                var fields = ["audience": Self.server]
                fields.merge(extra) { $1 }
                let body = try await Self.exchange(client, subject: subject, actor: actor, extra: fields)
                #expect(body["error"] as? String == "invalid_grant", "\(name): \(body)")
                #expect(body["access_token"] == nil)
            }
            // may_act naming this agent is fine; scopes and audience outside the blueprint are not.
            let allowed = idp.token(aud: issuer, extra: ["may_act": ["sub": "spiffe://custos.local/agent/planner"]])
            #expect(try await Self.exchange(client, subject: allowed, actor: agent, extra: ["audience": Self.server])["access_token"] != nil)
            #expect(try await Self.exchange(client, subject: good, actor: agent, extra: ["audience": Self.server, "scope": "payroll:read"])["error"] as? String == "invalid_scope")
            #expect(try await Self.exchange(client, subject: idp.token(scope: nil, aud: issuer), actor: agent, extra: ["audience": Self.server])["error"] as? String == "invalid_scope")
            #expect(try await Self.exchange(client, subject: good, actor: agent, extra: ["audience": "https://payroll.example"])["error"] as? String == "invalid_target")
            #expect(try await Self.exchange(client, subject: good, actor: agent)["error"] as? String == "invalid_request")
            #expect(try await Self.exchange(client, subject: good, actor: agent, extra: ["audience": Self.server, "subject_token_type": "urn:x"])["error"] as? String == "unsupported_token_type")
        }
    }

    @Test func singleUseGrantsAreSpentOnceAndHoldersRevokeTheirOwn() async throws {
        let idp = TestIdentityProvider()
        let test = try await Self.plane(idp)
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let agent = try await Self.agent(client, test, "planner", scopes: ["tickets:read"])
            let other = try await Self.agent(client, test, "other", scopes: [Self.introspectScope])
            let user = idp.token(aud: issuer)
            let once = try #require(try await Self.exchange(
                client, subject: user, actor: agent, extra: ["audience": Self.server, "single_use": "true"])["access_token"] as? String)
            // A resource server registered as an agent with token:introspect: first look active, then spent.
            let asServer: HTTPFields = [.authorization: "Bearer \(other)", .contentType: "application/x-www-form-urlencoded"]
            for expected in [true, false] {
                try await client.execute(uri: "/oauth2/introspect", method: .post, headers: asServer, body: IdentityTests.form(["token": once])) {
                    #expect(json($0.body)["active"] as? Bool == expected)
                }
            }
            // Without a credential, or without the scope: refused.
            try await client.execute(uri: "/oauth2/introspect", method: .post, headers: IdentityTests.formHeaders, body: IdentityTests.form(["token": once])) {
                #expect($0.status == .unauthorized && json($0.body)["error"] as? String == "invalid_client")
            }
            let asAgent: HTTPFields = [.authorization: "Bearer \(agent)", .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/oauth2/introspect", method: .post, headers: asAgent, body: IdentityTests.form(["token": once])) {
                #expect(json($0.body)["error"] as? String == "unauthorized_client")
            }

            // Revocation: the holder may, another agent may not, a foreign token is quietly accepted.
            let grant = try #require(try await Self.exchange(client, subject: user, actor: agent, extra: ["audience": Self.server])["access_token"] as? String)
            let asOther: HTTPFields = [.authorization: "Bearer \(other)", .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/oauth2/revoke", method: .post, headers: asOther, body: IdentityTests.form(["token": grant])) {
                #expect(json($0.body)["error"] as? String == "unauthorized_client")
            }
            #expect(try await Self.introspect(client, test, grant)["active"] as? Bool == true)
            try await client.execute(uri: "/oauth2/revoke", method: .post, headers: asAgent, body: IdentityTests.form(["token": grant])) {
                #expect($0.status == .ok)
            }
            #expect(try await Self.introspect(client, test, grant)["active"] as? Bool == false)
            try await client.execute(uri: "/oauth2/revoke", method: .post, headers: asAgent, body: IdentityTests.form(["token": "not-a-token"])) {
                #expect($0.status == .ok)
            }
            // An SVID introspects too.
            let info = try await Self.introspect(client, test, other)
            #expect(info["active"] as? Bool == true && info["custos_token_kind"] as? String == "jwt-svid")
        }
    }

    static let introspectScope = "token:introspect"

    /// Percent-encodes every byte but ASCII letters and digits.
    static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte in
            (byte < 0x80 && (Character(UnicodeScalar(byte)).isLetter || Character(UnicodeScalar(byte)).isNumber))
                ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }

    @Test func formBodiesRoundTripAndMalformedOnesAreRefused() async throws {
        let text = Gen<Character>.character(in: " "..."\u{7FF}").string(of: 1...24)
        await propertyCheck(count: 1000, input: text, text) { (key: String, value: String) in
            let form = try? FormBody.parse("audience=\(Self.percentEncoded(value))&\(Self.percentEncoded(key))=1&\(Self.percentEncoded(key))=2")
            #expect(form?["audience"] == value)  // and the unknown, repeated key is ignored
        }
        #expect(try FormBody.parse("scope=b+c%2Bd&ttl=&x=1&x=2") == ["scope": "b c+d", "ttl": ""])
        for bad in ["a=%", "a=%4", "a=%zz", "a=%FF", "scope=1&scope=2"] {
            #expect(throws: OAuthError.self, "\(bad)") { try FormBody.parse(bad) }
        }
    }

    @Test func anAgentRenewsItsOwnSVIDUntilItIsRevoked() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let own = try await Self.agent(client, test, "planner", scopes: [])
            func renew(_ token: String) async throws -> [String: Any] {
                try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: IdentityTests.form([
                    "grant_type": Self.exchange, "subject_token": token, "subject_token_type": Self.jwt, "audience": Self.server,
                ])) { json($0.body) }
            }
            let renewed = try #require(try await renew(own)["access_token"] as? String)
            let svid = try test.plane.verifier.verify(renewed, audience: Self.server, now: Date())
            #expect(svid.spiffeID.description == "spiffe://custos.local/agent/planner/i/p1")
            // Only an SVID for Custos itself renews.
            #expect(try await renew(renewed)["error"] as? String == "invalid_grant")
            _ = try await KillSwitchTests.kill(client, test, "instance", "planner/p1")
            #expect(try await renew(own)["error"] as? String == "invalid_grant")
        }
    }

    @Test func keysAreFetchedFromAJWKSURL() async throws {
        let idp = TestIdentityProvider()
        let router = Router()
        router.get("jwks") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: idp.jwks))) }
        let provider = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await provider.test(.live) { providerClient in
            let port = try #require(providerClient.port)
            let test = try await TestPlane { configuration in
                configuration.trustedIssuers = [
                    TrustedIssuerConfiguration(issuer: TestIdentityProvider.issuer, jwksURL: "http://127.0.0.1:\(port)/jwks")
                ]
            }
            defer { test.remove() }
            try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
                let agent = try await Self.agent(client, test, "planner", scopes: ["tickets:read"])
                let body = try await Self.exchange(
                    client, subject: idp.token(aud: test.plane.configuration.effectiveIssuer), actor: agent,
                    extra: ["audience": Self.server])
                #expect(body["scope"] as? String == "tickets:read")
            }
        }
    }
}

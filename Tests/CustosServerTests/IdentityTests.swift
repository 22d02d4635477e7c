import Crypto
import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite struct IdentityTests {
    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Registers `bot` and returns a fresh join token for it.
    static func joinToken(_ client: some TestClientProtocol, _ test: TestPlane, agent: String = "bot",
                          ttl: Int = 300) async throws -> String {
        let body = #"{"id": "\#(agent)", "name": "Bot", "sponsor": "dana@example.com", "blueprint": {"max_credential_ttl_seconds": \#(ttl)}}"#
        try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) { _ in }
        return try await client.execute(uri: "/v1/agents/\(agent)/join-tokens", method: .post, headers: test.bearer) { response in
            #expect(response.status == .created)
            #expect(response.headers[.cacheControl] == "no-store")
            return json(response.body)["token"] as? String ?? ""
        }
    }

    @Test func joinTokenToJWTSVIDThenRevoke() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let join = try await Self.joinToken(client, test, ttl: 120)
            let exchange = Self.form([
                "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join,
                "audience": "https://tools.example.com", "instance": "pod-7", "ttl": "3600",
            ])
            let token = try await client.execute(uri: "/oauth2/token", method: .post, headers: Self.formHeaders, body: exchange) {
                response in
                #expect(response.status == .ok)
                let body = json(response.body)
                #expect(body["spiffe_id"] as? String == "spiffe://custos.local/agent/bot/i/pod-7")
                #expect(body["expires_in"] as? Int == 120)  // capped by the blueprint
                return body["access_token"] as? String ?? ""
            }
            // The same join token again: refused.
            try await client.execute(uri: "/oauth2/token", method: .post, headers: Self.formHeaders, body: exchange) { response in
                #expect(response.status == .badRequest)
                #expect(json(response.body)["error"] as? String == "invalid_grant")
            }
            // The JWT: ES256 with the published kid.
            let header = try #require(JSONSerialization.jsonObject(
                with: Base64URL.decode(token.split(separator: ".")[0]) ?? Data()) as? [String: Any])
            #expect(header["alg"] as? String == "ES256")
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                let keys = json(response.body)["keys"] as? [[String: Any]] ?? []
                #expect(keys.filter { $0["use"] as? String == "jwt-svid" }.map { $0["kid"] as? String } == [header["kid"] as? String])
                #expect(json(response.body)["spiffe_refresh_hint"] as? Int == 300)
            }
            let verifier = test.plane.verifier
            let verified = try verifier.verify(token, audience: "https://tools.example.com", now: Date())
            #expect(verified.agent.rawValue == "bot" && verified.instance == "pod-7")
            #expect(throws: CustosError.unauthorized("")) {
                try verifier.verify(token, audience: "https://other.example.com", now: Date())
            }
            #expect(throws: CustosError.unauthorized("")) {
                try verifier.verify(token, audience: "https://tools.example.com", now: Date().addingTimeInterval(200))
            }
            // Suspending the agent revokes the token at once, and no new join token is issued.
            try await client.execute(uri: "/v1/agents/bot/suspend", method: .post, headers: test.bearer) { _ in }
            #expect(throws: CustosError.unauthorized("")) {
                try verifier.verify(token, audience: "https://tools.example.com", now: Date())
            }
            try await client.execute(uri: "/v1/agents/bot/join-tokens", method: .post, headers: test.bearer) {
                #expect($0.status == .conflict)
            }
        }
    }

    @Test(arguments: [
        ([:], "invalid_request"),
        (["grant_type": "password"], "unsupported_grant_type"),
        (["grant_type": "urn:custos:params:oauth:grant-type:join-token", "audience": "a"], "invalid_request"),
        (["grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": "custos_join_nope", "audience": "a"], "invalid_grant"),
        (["grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": "x", "audience": "a", "ttl": "-5"], "invalid_request"),
    ])
    func badTokenRequestsGetOAuthErrors(fields: [String: String], code: String) async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/oauth2/token", method: .post, headers: Self.formHeaders, body: Self.form(fields)) { response in
                #expect(response.status == .badRequest)
                #expect(json(response.body)["error"] as? String == code)
            }
        }
    }

    @Test func repeatedParametersAndOtherContentTypesAreRefused() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/oauth2/token", method: .post, headers: Self.formHeaders,
                                     body: ByteBuffer(string: "grant_type=a&grant_type=b")) {
                #expect(json($0.body)["error"] as? String == "invalid_request")
            }
            try await client.execute(uri: "/oauth2/token", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) {
                #expect(json($0.body)["error"] as? String == "invalid_request")
            }
        }
    }
}

/// Tokens an attacker might present: each is refused before it is trusted.
@Suite struct TokenVerifierTests {
    static let key = SigningKey(privateKey: P256.Signing.PrivateKey())
    /// A verifier that knows agent `a1` (sponsor dana, zone prod) and nothing revoked.
    static func makeVerifier() -> TokenVerifier {
        let state = RevocationState()
        let time = Date()
        let agent = Agent(
            id: try! AgentID("a1"), name: "A1", sponsor: "dana", owners: [], purpose: "", zone: "prod", groups: [],
            blueprint: Blueprint(), status: .active, revocationEpoch: 0, createdAt: time, updatedAt: time, lastSeenAt: nil)
        state.load(agents: [agent], revocations: [], epoch: 0)
        return TokenVerifier(keys: KeyRing(current: key), trustDomain: "example.org", revocations: state)
    }

    static let verifier = makeVerifier()

    static func encode(_ object: [String: Any]) -> String {
        Base64URL.encode(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func claims(sub: String = "spiffe://example.org/agent/a1/i/x", aud: Any = "svc", exp: Int? = nil) -> [String: Any] {
        let now = Int(Date().timeIntervalSince1970)
        return ["sub": sub, "aud": aud, "exp": exp ?? now + 300, "iat": now, "jti": "j1", "custos_epoch": 0]
    }

    static func signed(_ claims: [String: Any], key: SigningKey = key) -> String {
        try! JWS.sign(claims: claims, key: key)
    }

    static func verify(_ token: String) async throws(CustosError) {
        _ = try verifier.verify(token, audience: "svc", now: Date())
    }

    @Test func aGoodTokenVerifies() async throws {
        try await Self.verify(Self.signed(Self.claims()))
    }

    @Test func forgedAndMalformedTokensAreRefused() async throws {
        let good = Self.signed(Self.claims())
        let parts = good.split(separator: ".").map(String.init)
        let secret = Array(Self.key.privateKey.publicKey.x963Representation)
        let hsInput = Self.encode(["alg": "HS256", "kid": Self.key.keyID]) + "." + parts[1]
        let hsSignature = Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Data(hsInput.utf8), using: SymmetricKey(data: secret))))
        let other = SigningKey(privateKey: P256.Signing.PrivateKey())
        let tampered = parts[0] + "." + Self.encode(Self.claims(sub: "spiffe://example.org/agent/admin/i/x")) + "." + parts[2]
        let cases: [(String, String)] = [
            ("alg none", Self.encode(["alg": "none"]) + "." + parts[1] + "."),
            ("HS256 keyed with the public key", hsInput + "." + hsSignature),
            ("unknown kid", Self.signed(Self.claims(), key: other)),
            ("no kid", Self.encode(["alg": "ES256"]) + "." + parts[1] + "." + parts[2]),
            ("tampered claims", tampered),
            ("truncated", parts[0] + "." + parts[1]),
            ("oversized", String(repeating: "a", count: 10_000)),
            ("expired", Self.signed(Self.claims(exp: Int(Date().timeIntervalSince1970) - 120))),
            ("two audiences", Self.signed(Self.claims(aud: ["svc", "other"]))),
            ("wrong audience", Self.signed(Self.claims(aud: "other"))),
            ("another trust domain", Self.signed(Self.claims(sub: "spiffe://evil.org/agent/a1/i/x"))),
            ("not an instance", Self.signed(Self.claims(sub: "spiffe://example.org/agent/a1"))),
            ("signature from another key", parts[0] + "." + parts[1] + "." + Self.signed(Self.claims(), key: other).split(separator: ".")[2]),
            ("critical header", Self.encode(["alg": "ES256", "kid": Self.key.keyID, "crit": ["exp"]]) + "." + parts[1] + "." + parts[2]),
        ]
        for (name, token) in cases {
            await #expect(throws: CustosError.unauthorized(""), "\(name)") { try await Self.verify(token) }
        }
    }

    @Test(arguments: [
        (RevocationScope.agent, "a1"), (.instance, "a1/x"), (.sponsor, "dana"), (.zone, "prod"), (.token, "j1"),
    ])
    func aRevocationIsRefusedEvenWhenCached(scope: RevocationScope, target: String) throws {
        let verifier = Self.makeVerifier()
        let token = Self.signed(Self.claims())
        _ = try verifier.verify(token, audience: "svc", now: Date())  // now cached
        verifier.revocations.apply(Revocation(
            scope: scope, target: target, epoch: 1, reason: "", revokedBy: "admin", revokedAt: Date(), expiresAt: nil))
        #expect(throws: CustosError.unauthorized("")) { try verifier.verify(token, audience: "svc", now: Date()) }
    }

    @Test func revocationsOfOthersLeaveATokenAlone() throws {
        let verifier = Self.makeVerifier()
        for (scope, target) in [(RevocationScope.agent, "a2"), (.instance, "a1/y"), (.sponsor, "erin"), (.zone, "dev"), (.token, "j2")] {
            verifier.revocations.apply(Revocation(
                scope: scope, target: target, epoch: 1, reason: "", revokedBy: "admin", revokedAt: Date(), expiresAt: nil))
        }
        // Issued in epoch 0, but none of the revocations concerns it.
        _ = try verifier.verify(Self.signed(Self.claims()), audience: "svc", now: Date())
        #expect(verifier.revocations.currentEpoch == 1)
    }

    @Test func anUnknownAgentIsRefused() {
        #expect(throws: CustosError.unauthorized("")) {
            try Self.verifier.verify(Self.signed(Self.claims(sub: "spiffe://example.org/agent/ghost/i/x")), audience: "svc", now: Date())
        }
    }
}

@Suite struct JoinTokenSpendingTests {
    @Test func aMalformedRequestDoesNotSpendTheJoinToken() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let join = try await IdentityTests.joinToken(client, test)
            let grant = "urn:custos:params:oauth:grant-type:join-token"
            for bad in [["instance": "../etc"], ["audience": ""]] {
                var fields = ["grant_type": grant, "join_token": join, "audience": "svc"]
                fields.merge(bad) { $1 }
                try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders,
                                         body: IdentityTests.form(fields)) {
                    #expect(json($0.body)["error"] as? String == "invalid_request")
                }
            }
            try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders,
                                     body: IdentityTests.form(["grant_type": grant, "join_token": join, "audience": "svc"])) {
                #expect($0.status == .ok)
            }
        }
    }
}

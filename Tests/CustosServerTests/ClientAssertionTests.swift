@preconcurrency import Crypto
import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `private_key_jwt` bootstrap over real HTTP: registered keys, assertions, and everything refused.
@Suite struct ClientAssertionTests {
    static let grant = "client_credentials"
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    static func assertion(
        _ provider: TestIdentityProvider, alg: String = "ES256", iss: String = "bot", sub: String? = nil, aud: String,
        expiresIn: Int = 120, jti: String = UUID().uuidString
    ) -> String {
        provider.token(
            sub: sub ?? iss, scope: nil, aud: aud, alg: alg, kid: "", iss: iss, expiresIn: expiresIn, extra: ["jti": jti])
    }

    static func token(_ client: some TestClientProtocol, assertion: String, extra: [String: String] = [:]) async throws
        -> (status: HTTPResponse.Status, body: [String: Any])
    {
        var fields = [
            "grant_type": grant, "client_assertion_type": assertionType, "client_assertion": assertion,
            "audience": "https://tools.example.com", "instance": "p1",
        ]
        fields.merge(extra) { $1 }
        return try await client.execute(
            uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: IdentityTests.form(fields)
        ) { ($0.status, json($0.body)) }
    }

    static func addKey(_ client: some TestClientProtocol, _ test: TestPlane, _ jwk: Data) async throws
        -> (status: HTTPResponse.Status, body: [String: Any])
    {
        try await client.execute(uri: "/v1/agents/bot/keys", method: .post, headers: test.bearer, body: ByteBuffer(bytes: jwk)) {
            ($0.status, json($0.body))
        }
    }

    @Test func anAgentBootstrapsWithItsRegisteredKey() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        let keys = TestIdentityProvider()  // its EC and RSA keys play the agent's keys
        let jwks = try #require(try JSONSerialization.jsonObject(with: keys.jwks) as? [String: Any])["keys"] as? [[String: Any]]
        var ecKey = try #require(jwks?.first { $0["kty"] as? String == "EC" })
        ecKey["kid"] = nil
        var rsaKey = try #require(jwks?.first { $0["kty"] as? String == "RSA" })
        rsaKey["kid"] = nil
        let ec = try JSONSerialization.data(withJSONObject: ecKey)
        let rsa = try JSONSerialization.data(withJSONObject: rsaKey)
        let privateKey = try JSONSerialization.data(withJSONObject: ecKey.merging(["d": "AAAA"]) { $1 })
        let symmetric = try JSONSerialization.data(withJSONObject: ["kty": "oct", "k": "c2VjcmV0"])
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            _ = try await TokenExchangeTests.agent(client, test, "bot", scopes: [])
            let added = try await Self.addKey(client, test, ec)
            #expect(added.status == .created)
            let thumbprint = try #require(added.body["thumbprint"] as? String)
            #expect(try await Self.addKey(client, test, ec).status == .conflict)
            #expect(try await Self.addKey(client, test, privateKey).status == .badRequest)
            #expect(try await Self.addKey(client, test, symmetric).status == .badRequest)
            #expect(try await Self.addKey(client, test, rsa).status == .created)

            // ES256 and RS256 assertions both work, once each.
            let first = Self.assertion(keys, aud: issuer)
            let (status, body) = try await Self.token(client, assertion: first)
            #expect(status == .ok)
            let svid = try test.plane.verifier.verify(
                try #require(body["access_token"] as? String), audience: "https://tools.example.com", now: Date())
            #expect(svid.spiffeID.description == "spiffe://custos.local/agent/bot/i/p1")
            #expect(try await Self.token(client, assertion: first).body["error"] as? String == "invalid_grant")
            #expect(try await Self.token(client, assertion: Self.assertion(keys, alg: "RS256", aud: issuer)).status == .ok)

            // Refused: another key, another audience, too long-lived, expired, unknown agent, sub ≠ iss,
            // client_id ≠ iss, wrong assertion type.
            let stranger = TestIdentityProvider()
            let cases: [(String, String, [String: String])] = [
                ("another key", Self.assertion(stranger, aud: issuer), [:]),
                ("another audience", Self.assertion(keys, aud: "https://elsewhere.example"), [:]),
                ("valid for an hour", Self.assertion(keys, aud: issuer, expiresIn: 3600), [:]),
                ("expired", Self.assertion(keys, aud: issuer, expiresIn: -120), [:]),
                ("unknown agent", Self.assertion(keys, iss: "ghost", aud: issuer), [:]),
                ("sub is not iss", Self.assertion(keys, sub: "other", aud: issuer), [:]),
                ("client_id is not iss", Self.assertion(keys, aud: issuer), ["client_id": "other"]),
                ("no assertion type", Self.assertion(keys, aud: issuer), ["client_assertion_type": "x"]),
            ]
            for (name, assertion, extra) in cases {
                let (status, body) = try await Self.token(client, assertion: assertion, extra: extra)
                #expect(status == .unauthorized && body["error"] as? String == "invalid_client", "\(name): \(body)")
            }

            // Removing the key, or killing the agent, ends it.
            try await client.execute(uri: "/v1/agents/bot/keys/\(thumbprint)", method: .delete, headers: test.bearer) {
                #expect($0.status == .noContent)
            }
            #expect(try await Self.token(client, assertion: Self.assertion(keys, aud: issuer)).status == .unauthorized)
            _ = try await KillSwitchTests.kill(client, test, "agent", "bot")
            let afterKill = try await Self.token(client, assertion: Self.assertion(keys, alg: "RS256", aud: issuer))
            #expect(afterKill.body["error"] as? String == "invalid_grant")
            try await client.execute(uri: "/v1/agents/bot/keys", method: .get, headers: test.bearer) {
                #expect((json($0.body)["keys"] as? [Any])?.count == 1)
            }
        }
    }
}

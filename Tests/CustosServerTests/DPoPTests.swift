@preconcurrency import Crypto
import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing

/// A client's DPoP key, making proofs (RFC 9449 §4.2).
struct DPoPKey: Sendable {
    let key = P256.Signing.PrivateKey()

    var jwk: [String: String] {
        let raw = Array(key.publicKey.x963Representation)
        return ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(raw[1...32]), "y": Base64URL.encode(raw[33...64])]
    }

    var thumbprint: String {
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(jwk["x"]!)","y":"\#(jwk["y"]!)"}"#
        return Base64URL.encode(SHA256.hash(data: Data(canonical.utf8)))
    }

    func proof(
        method: String = "POST", url: String, accessToken: String? = nil, iat: Date = Date(), jti: String = UUID().uuidString,
        typ: String = "dpop+jwt"
    ) -> String {
        var claims: [String: Any] = ["jti": jti, "htm": method, "htu": url, "iat": Int(iat.timeIntervalSince1970)]
        if let accessToken { claims["ath"] = Base64URL.encode(SHA256.hash(data: Data(accessToken.utf8))) }
        let header: [String: Any] = ["typ": typ, "alg": "ES256", "jwk": jwk]
        let input = TestIdentityProvider.encode(header) + "." + TestIdentityProvider.encode(claims)
        return input + "." + Base64URL.encode(try! key.signature(for: Data(input.utf8)).rawRepresentation)
    }
}

@Suite struct DPoPTests {
    static let tokenURL = "https://custos.example.com/oauth2/token"
    static let resource = "https://tickets.example.com/tickets"

    /// A proof at the token endpoint binds a JWT-SVID too: every Custos endpoint that takes it then asks
    /// for a proof by its key, and renewal passes the binding on only to the key's holder.
    @Test func aProofBindsTheJWTSVIDAndEveryUseNeedsTheKey() async throws {
        let test = try await TestPlane { configuration in configuration.publicURL = "https://custos.example.com" }
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let key = DPoPKey()
            let other = DPoPKey()
            func token(_ fields: [String: String], proof: String?) async throws -> [String: Any] {
                var headers = IdentityTests.formHeaders
                if let proof { headers[HTTPField.Name("DPoP")!] = proof }
                return try await client.execute(
                    uri: "/oauth2/token", method: .post, headers: headers, body: IdentityTests.form(fields)
                ) { json($0.body) }
            }
            let join = try await IdentityTests.joinToken(client, test)
            let joinFields = [
                "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join, "audience": issuer, "instance": "p1",
            ]
            // A bad proof is refused before the join token is spent.
            #expect(try await token(joinFields, proof: other.proof(method: "GET", url: Self.tokenURL))["error"] as? String == "invalid_dpop_proof")
            let issued = try await token(joinFields, proof: key.proof(url: Self.tokenURL))
            #expect(issued["token_type"] as? String == "DPoP")
            let svid = try #require(issued["access_token"] as? String)
            #expect(try test.plane.verifier.verifyIgnoringBinding(svid, audience: issuer, now: Date()).claims.confirmation == key.thumbprint)
            #expect(throws: CustosError.unauthorized("")) { try test.plane.verifier.verify(svid, audience: issuer, now: Date()) }

            // Custos's own endpoints: without a proof, or with one by another key, 401; with the key, the
            // request goes through (and fails on its empty body).
            let x509 = "https://custos.example.com/v1/svid/x509"
            func csr(_ proof: String?) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [.authorization: "DPoP \(svid)", .contentType: "application/json"]
                if let proof { headers[HTTPField.Name("DPoP")!] = proof }
                return try await client.execute(uri: "/v1/svid/x509", method: .post, headers: headers, body: ByteBuffer(string: "{}")) {
                    $0.status
                }
            }
            #expect(try await csr(nil) == .unauthorized)
            #expect(try await csr(other.proof(url: x509, accessToken: svid)) == .unauthorized)
            #expect(try await csr(key.proof(url: x509)) == .unauthorized)  // no `ath`: not a proof for this token
            #expect(try await csr(key.proof(url: x509, accessToken: svid)) == .badRequest)

            // Renewal: only with a proof by the key, and the new SVID is bound again.
            let renew = [
                "grant_type": TokenExchangeTests.exchange, "subject_token": svid, "subject_token_type": TokenExchangeTests.jwt,
                "audience": "https://tools.example.com",
            ]
            #expect(try await token(renew, proof: nil)["error"] as? String == "invalid_grant")
            #expect(try await token(renew, proof: other.proof(url: Self.tokenURL))["error"] as? String == "invalid_grant")
            let renewed = try await token(renew, proof: key.proof(url: Self.tokenURL))
            #expect(renewed["token_type"] as? String == "DPoP")

            // Introspection reports the binding.
            let info = try await TokenExchangeTests.introspect(client, test, svid)
            #expect(info["token_type"] as? String == "DPoP")
            #expect((info["cnf"] as? [String: Any])?["jkt"] as? String == key.thumbprint)
        }
    }

    @Test func aProofBindsTheGrantAndOnlyItsKeyCanUseIt() async throws {
        let idp = TestIdentityProvider()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("idp-\(UUID().uuidString).json")
        try idp.jwks.write(to: file)
        let test = try await TestPlane { configuration in
            configuration.trustedIssuers = [TrustedIssuerConfiguration(issuer: TestIdentityProvider.issuer, jwksFile: file.path)]
            configuration.publicURL = "https://custos.example.com"
        }
        defer { test.remove() }
        let issuer = test.plane.configuration.effectiveIssuer
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let planner = try await TokenExchangeTests.agent(client, test, "planner", scopes: ["tickets:read"], depth: 1)
            let worker = try await TokenExchangeTests.agent(client, test, "worker", scopes: ["tickets:read"])
            let user = idp.token(aud: issuer)
            let key = DPoPKey()
            func exchange(subject: String, actor: String, proof: String?) async throws -> [String: Any] {
                var headers = IdentityTests.formHeaders
                if let proof { headers[HTTPField.Name("DPoP")!] = proof }
                let form = IdentityTests.form([
                    "grant_type": TokenExchangeTests.exchange, "subject_token": subject, "subject_token_type": TokenExchangeTests.jwt,
                    "actor_token": actor, "actor_token_type": TokenExchangeTests.jwt, "audience": TokenExchangeTests.server,
                ])
                return try await client.execute(uri: "/oauth2/token", method: .post, headers: headers, body: form) { json($0.body) }
            }

            let proof = key.proof(url: Self.tokenURL)
            let bound = try await exchange(subject: user, actor: planner, proof: proof)
            #expect(bound["token_type"] as? String == "DPoP")
            let grant = try #require(bound["access_token"] as? String)
            let claims = try test.plane.grantVerifier.verify(grant, audience: TokenExchangeTests.server, now: Date())
            #expect(claims.confirmation == key.thumbprint)

            // Bad proofs: replayed, wrong method, wrong URL, stale, wrong typ, signed by another key than its jwk.
            let other = DPoPKey()
            var forged = key.proof(url: Self.tokenURL).split(separator: ".").map(String.init)
            forged[2] = other.proof(url: Self.tokenURL).split(separator: ".").map(String.init)[2]
            for bad in [
                proof, key.proof(method: "GET", url: Self.tokenURL), key.proof(url: "https://custos.example.com/oauth2/other"),
                key.proof(url: "https://elsewhere.example/oauth2/token"), key.proof(url: Self.tokenURL, iat: Date().addingTimeInterval(-300)),
                key.proof(url: Self.tokenURL, typ: "JWT"), forged.joined(separator: "."), "not-a-proof",
            ] {
                let body = try await exchange(subject: user, actor: planner, proof: bad)
                #expect(body["error"] as? String == "invalid_dpop_proof", "\(body)")
            }

            // A resource server must see a proof by the key, for this token.
            let verifier = test.plane.grantVerifier
            #expect(throws: CustosError.unauthorized("")) {
                try verifier.verify(grant, audience: TokenExchangeTests.server, now: Date(), dpop: nil)
            }
            let use = { (key: DPoPKey, token: String?) in
                DPoPPresentation(proof: key.proof(method: "GET", url: Self.resource, accessToken: token), method: "GET", url: Self.resource)
            }
            _ = try verifier.verify(grant, audience: TokenExchangeTests.server, now: Date(), dpop: use(key, grant))
            for presentation in [use(other, grant), use(key, nil), use(key, "another token")] {
                #expect(throws: CustosError.unauthorized("")) {
                    try verifier.verify(grant, audience: TokenExchangeTests.server, now: Date(), dpop: presentation)
                }
            }

            // Passing it down needs the key; the child stays bound to it.
            #expect(try await exchange(subject: grant, actor: worker, proof: nil)["error"] as? String == "invalid_grant")
            #expect(try await exchange(subject: grant, actor: worker, proof: other.proof(url: Self.tokenURL))["error"] as? String == "invalid_grant")
            let child = try await exchange(subject: grant, actor: worker, proof: key.proof(url: Self.tokenURL))
            #expect(child["token_type"] as? String == "DPoP")

            // Introspection reports the binding.
            let info = try await TokenExchangeTests.introspect(client, test, grant)
            #expect(info["token_type"] as? String == "DPoP")
            #expect((info["cnf"] as? [String: Any])?["jkt"] as? String == key.thumbprint)
        }
    }
}

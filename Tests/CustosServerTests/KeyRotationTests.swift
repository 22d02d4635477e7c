import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Rotation of the JWT signing key: new tokens get the new key, tokens already issued keep verifying
/// for the longest credential lifetime, and retired keys go.
@Suite struct KeyRotationTests {
    @Test func aRetiredKeyStopsVerifyingAndItsFileGoes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = SigningKeyStore(folder: folder)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try store.loadRing(now: start).current
        let second = try store.create(now: start.addingTimeInterval(10))

        let ring = try store.loadRing(now: start.addingTimeInterval(20))
        #expect(ring.current.keyID == second.keyID && ring.previous.map(\.key.keyID) == [first.keyID])
        #expect(ring.verificationKey(first.keyID, now: start.addingTimeInterval(20)) != nil)
        #expect(ring.verificationKey(first.keyID, now: start.addingTimeInterval(10 + KeyRing.overlap + 1)) == nil)

        let later = try store.loadRing(now: start.addingTimeInterval(10 + KeyRing.overlap + 1))
        #expect(later.current.keyID == second.keyID && later.previous.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
    }

    @Test func rotatingKeepsIssuedTokensValid() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let before = try await TokenExchangeTests.agent(client, test, "bot", scopes: [])
            let oldKey = test.plane.keyRing.current.keyID
            let sequence = test.plane.keyRing.sequence
            try await client.execute(uri: "/v1/keys/rotate", method: .post, headers: test.bearer) { response in
                #expect(response.status == .ok)
                let body = json(response.body)
                #expect(body["current"] as? String != oldKey)
                #expect((body["previous"] as? [[String: Any]])?.first?["kid"] as? String == oldKey)
            }
            try await client.execute(uri: "/v1/keys/rotate", method: .post) { #expect($0.status == .unauthorized) }
            #expect(test.plane.keyRing.sequence > sequence)
            // The token signed with the old key still verifies; a new one carries the new key.
            _ = try test.plane.verifier.verify(before, audience: test.plane.configuration.effectiveIssuer, now: Date())
            let renewed = try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: IdentityTests.form([
                "grant_type": TokenExchangeTests.exchange, "subject_token": before, "subject_token_type": TokenExchangeTests.jwt,
                "audience": TokenExchangeTests.server,
            ])) { json($0.body)["access_token"] as? String ?? "" }
            let header = try #require(JSONSerialization.jsonObject(
                with: Base64URL.decode(renewed.split(separator: ".")[0]) ?? Data()) as? [String: Any])
            #expect(header["kid"] as? String == test.plane.keyRing.current.keyID)
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) { response in
                let keys = json(response.body)["keys"] as? [[String: Any]] ?? []
                #expect(keys.filter { $0["use"] as? String == "jwt-svid" }.count == 2)
                #expect(json(response.body)["spiffe_sequence"] as? Int == Int(test.plane.keyRing.sequence))
            }
            try await client.execute(uri: "/v1/audit/records?event=signing_key.rotated", method: .get, headers: test.bearer) {
                #expect((json($0.body)["records"] as? [Any])?.count == 1)
            }
        }
        // A restart keeps both keys.
        var configuration = ServerConfiguration()
        configuration.dataDirectory = test.folder.path
        let reopened = try await ControlPlane.open(configuration, logger: testLogger)
        #expect(reopened.keyRing.current.keyID == test.plane.keyRing.current.keyID)
        #expect(reopened.keyRing.previous.count == 1)
    }
}

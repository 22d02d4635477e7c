import CustosAudit
import CustosCore
import CustosStore
import CustosTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CustosServer

/// When the audit log cannot write, audited operations fail with 503, no credential leaves, and
/// `/readyz` says why until the log writes again.
@Suite struct AuditFailClosedTests {
    @Test func nothingAuditedHappensSilentlyWhileTheLogCannotWrite() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let store = FlakyAuditStore(try SQLiteAuditStore(path: test.folder.appendingPathComponent("flaky-audit.sqlite").path))
        let plane = ControlPlane(
            configuration: test.plane.configuration, store: test.plane.store, registry: test.plane.registry,
            keyRing: test.plane.keyRing, keyStore: test.plane.keyStore, adminCredential: test.plane.adminCredential,
            verifier: test.plane.verifier,
            newAdminToken: nil, audit: try await AuditLog.open(store: store, signer: test.plane.audit.signer),
            decisions: test.plane.decisions, policies: test.plane.policies, pdp: test.plane.pdp,
            revocations: test.plane.revocations, grantVerifier: test.plane.grantVerifier,
            trustedIssuers: test.plane.trustedIssuers, x509: test.plane.x509)
        try await buildApplication(plane, logger: testLogger).test(.live) { client in
            let join = try await IdentityTests.joinToken(client, test)
            store.failWrites(true)
            let exchange = IdentityTests.form([
                "grant_type": "urn:custos:params:oauth:grant-type:join-token", "join_token": join, "audience": "https://x.example",
            ])
            try await client.execute(uri: "/oauth2/token", method: .post, headers: IdentityTests.formHeaders, body: exchange) {
                response in
                #expect(response.status == .serviceUnavailable)
                #expect(!String(buffer: response.body).contains("access_token"))
            }
            try await client.execute(uri: "/v1/agents/bot/join-tokens", method: .post, headers: test.bearer) {
                #expect($0.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect((json(response.body)["audit"] as? String)?.contains("cannot write") == true)
            }
            store.failWrites(false)
            try await client.execute(uri: "/v1/agents/bot/join-tokens", method: .post, headers: test.bearer) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }
}

import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// A control plane on a fresh data folder, with a known admin token.
struct TestPlane {
    let folder: URL
    let plane: ControlPlane
    let token: String

    init(configure: (inout ServerConfiguration) throws -> Void = { _ in }) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-test-\(UUID().uuidString)")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = folder.path
        configuration.port = 0
        try configure(&configuration)
        plane = try await ControlPlane.open(configuration, logger: testLogger)
        token = try #require(plane.newAdminToken)
    }

    var bearer: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// The JSON object in a response body; empty when the body is not one (the test then fails on its fields).
func json(_ buffer: ByteBuffer) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
}

@Suite struct ControlPlaneTests {
    @Test func healthReadinessAndTheAPIDocumentAreOpen() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(json(response.body)["status"] as? String == "ready")
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(json(response.body)["openapi"] as? String == "3.1.0")
            }
        }
    }

    @Test func everyAdminEndpointRequiresTheCredential() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            for (method, path) in [(HTTPRequest.Method.get, "/v1/agents"), (.post, "/v1/agents"), (.get, "/v1/agents/a1"),
                                   (.patch, "/v1/agents/a1"), (.delete, "/v1/agents/a1"), (.post, "/v1/agents/a1/suspend")] {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(test.token)"]] {
                    try await client.execute(uri: path, method: method, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(method) \(path)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(json(response.body)["error"] as? String == "unauthorized")
                    }
                }
            }
        }
    }

    @Test func theAgentLifecycleOverHTTP() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let body = #"""
                {"id": "invoice-bot", "name": "Invoice bot", "sponsor": "alice@example.com", "owners": ["finance-team"],
                 "purpose": "matches invoices", "zone": "finance", "groups": ["finance-agents"],
                 "blueprint": {"scopes": ["invoices:read"], "max_credential_ttl_seconds": 600, "max_delegation_depth": 1}}
                """#
            try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/v1/agents/invoice-bot")
                let agent = json(response.body)
                #expect(agent["status"] as? String == "active")
                #expect(agent["sponsor"] as? String == "alice@example.com")
                #expect((agent["blueprint"] as? [String: Any])?["max_credential_ttl_seconds"] as? Int == 600)
            }
            try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) {
                #expect($0.status == .conflict)
            }
            try await client.execute(
                uri: "/v1/agents/invoice-bot", method: .patch, headers: test.bearer,
                body: ByteBuffer(string: #"{"purpose": "matches and files invoices"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(json(response.body)["purpose"] as? String == "matches and files invoices")
            }
            try await client.execute(uri: "/v1/agents/invoice-bot/suspend", method: .post, headers: test.bearer) { response in
                let agent = json(response.body)
                #expect(agent["status"] as? String == "suspended")
                #expect(agent["revocation_epoch"] as? Int == 1)
            }
            try await client.execute(uri: "/v1/agents/invoice-bot/reactivate", method: .post, headers: test.bearer) {
                #expect(json($0.body)["status"] as? String == "active")
            }
            try await client.execute(uri: "/v1/agents?limit=10", method: .get, headers: test.bearer) { response in
                let agents = try #require(json(response.body)["agents"] as? [[String: Any]])
                #expect(agents.map { $0["id"] as? String } == ["invoice-bot"])
            }
            try await client.execute(uri: "/v1/agents/invoice-bot", method: .delete, headers: test.bearer) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/v1/agents/invoice-bot", method: .get, headers: test.bearer) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test(arguments: [
        (#"{"name": "x"}"#, "sponsor"),
        (#"{"name": "x", "sponsor": "  "}"#, "sponsor"),
        (#"{"name": "x", "sponsor": "a", "id": "Bad ID"}"#, "agent id"),
        (#"{"name": "x", "sponsor": "a", "blueprint": {"max_credential_ttl_seconds": 0}}"#, "ttl"),
        (#"{"name": "x", "sponsor": "a", "blueprint": {"max_delegation_depth": 99}}"#, "depth"),
        (#"{"name": 5, "sponsor": "a"}"#, "name"),
        (#"{"name": "x", "sponsor": "a\u0000b"}"#, "control"),
        ("not json", "JSON"),
    ])
    func badRegistrationsAreRejectedAndChangeNothing(body: String, fragment: String) async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: body)) {
                response in
                #expect(response.status == .badRequest)
                let error = json(response.body)
                #expect(error["error"] as? String == "invalid_request")
                #expect((error["message"] as? String ?? "").contains(fragment))
            }
            try await client.execute(uri: "/v1/agents", method: .get, headers: test.bearer) { response in
                #expect((json(response.body)["agents"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let huge = #"{"name": "x", "sponsor": "a", "purpose": ""# + String(repeating: "a", count: 100_000) + #""}"#
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            try await client.execute(uri: "/v1/agents", method: .post, headers: test.bearer, body: ByteBuffer(string: huge)) {
                #expect($0.status == .badRequest || $0.status == .contentTooLarge)
            }
        }
    }
}

@Suite struct DataFolderTests {
    @Test func firstStartCreatesOwnerOnlyFilesAndLaterStartsReuseThem() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let manager = FileManager.default
        func mode(_ path: String) throws -> Int {
            try #require((try manager.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
        }
        #expect(try mode(test.folder.path) & 0o077 == 0)
        #expect(try mode(test.folder.appendingPathComponent("admin-token.sha256").path) == 0o600)
        let keys = try manager.contentsOfDirectory(atPath: test.folder.appendingPathComponent("keys").path).sorted()
        #expect(keys.count == 4)
        #expect(keys.first == "audit.key" && keys.suffix(2) == ["x509-ca.crt", "x509-ca.key"])
        for key in keys { #expect(try mode(test.folder.appendingPathComponent("keys/\(key)").path) == 0o600) }
        // The token is stored only as a digest.
        let stored = try String(contentsOf: test.folder.appendingPathComponent("admin-token.sha256"), encoding: .utf8)
        #expect(!stored.contains(test.token))

        var configuration = ServerConfiguration()
        configuration.dataDirectory = test.folder.path
        let again = try await ControlPlane.open(configuration, logger: testLogger)
        #expect(again.newAdminToken == nil)
        #expect(again.signingKey.keyID == test.plane.signingKey.keyID)
        #expect(again.x509.certificate == test.plane.x509.certificate)
        #expect(again.adminCredential.accepts(test.token))
        #expect(!again.adminCredential.accepts(test.token + "x"))
    }

    @Test func aKeyFileOthersCanReadIsRefused() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let keys = test.folder.appendingPathComponent("keys")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: keys.path).first { $0.hasSuffix(".pem") })
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keys.appendingPathComponent(file).path)
        var configuration = ServerConfiguration()
        configuration.dataDirectory = test.folder.path
        await #expect(throws: CustosError.self) { try await ControlPlane.open(configuration, logger: testLogger) }
    }

    @Test(arguments: [
        "listen: {port: -1}", "listen: {port: 70000}", "nope: 1", "listen: {hots: x}", "trust_domain: UPPER",
        "log_level: loud", "admin: {token_sha256: abc}", "- a list", "max_request_bytes: 1",
        "identity: {trusted_issuers: [{issuer: x}]}", "identity: {trusted_issuers: [{issuer: x, jwks_url: 'http://idp.example/k'}]}",
        "identity: {trusted_issuers: [{issuer: x, jwks_file: a, jwks_url: 'https://a/k'}]}", "identity: {trusted_issuers: x}",
        "identity: {trusted_issuers: [{issuer: x, jwks_file: a, colour: blue}]}", "identity: {isuer: x}",
        "audit: {retention_days: 0}", "audit: {retention_days: forever}", "audit: {retention: 30}",
        "executor: threads", "executor: [event_loops]",
    ])
    func badConfigurationIsRejected(yaml: String) {
        #expect(throws: CustosError.self) { try ServerConfiguration(yaml: yaml) }
    }

    @Test func configurationFileIsRead() throws {
        let configuration = try ServerConfiguration(
            yaml: """
                listen: {host: 0.0.0.0, port: 9443}
                data_dir: /var/lib/custos
                trust_domain: example.org
                admin: {token_sha256: "\(String(repeating: "ab", count: 32))"}
                audit: {retention_days: 400}
                executor: event_loops
                """)
        #expect(configuration.auditRetentionDays == 400)
        #expect(configuration.executor == .eventLoops && ServerConfiguration().executor == .cooperative)
        #expect(configuration.port == 9443 && configuration.host == "0.0.0.0")
        #expect(configuration.dataDirectory == "/var/lib/custos" && configuration.trustDomain == "example.org")
        #expect(try ServerConfiguration(yaml: "") == ServerConfiguration())
    }
}

/// Tests keep the server's logs out of the test output.
let testLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

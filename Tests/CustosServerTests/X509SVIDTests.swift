import CustosCore
import CustosIdentity
import CustosServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// X.509-SVIDs over real HTTP, with CSRs made and certificates checked by the OpenSSL command line
/// (an implementation independent of ours).
@Suite(.serialized) struct X509SVIDTests {
    /// Runs openssl with `arguments` in `folder`; returns its exit status and output.
    @discardableResult
    static func openssl(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A CSR for a new key, asking for `san` when given (an openssl -addext value).
    static func csr(in folder: URL, key: String = "ec", san: String? = nil) throws -> String {
        let name = "\(key)-\(UUID().uuidString)"
        let algorithm = key == "rsa" ? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        try openssl(["genpkey"] + algorithm + ["-out", "\(name).key"], in: folder)
        var request = ["req", "-new", "-key", "\(name).key", "-subj", "/CN=whatever-the-agent-says", "-out", "\(name).csr"]
        if let san { request += ["-addext", san] }
        let result = try openssl(request, in: folder)
        #expect(result.status == 0, "\(result.output)")
        return try String(contentsOf: folder.appendingPathComponent("\(name).csr"), encoding: .utf8)
    }

    static func post(_ client: some TestClientProtocol, token: String?, csr: String, ttl: Int? = nil)
        async throws -> (status: HTTPResponse.Status, body: [String: Any])
    {
        var object: [String: Any] = ["csr": csr]
        if let ttl { object["ttl"] = ttl }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: "/v1/svid/x509", method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
        ) { ($0.status, json($0.body)) }
    }

    @Test func anAgentGetsAnX509SVIDThatOpenSSLAccepts() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let folder = test.folder.appendingPathComponent("x509-test")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let svid = try await TokenExchangeTests.agent(client, test, "bot", scopes: [])
            let (status, body) = try await Self.post(client, token: svid, csr: try Self.csr(in: folder))
            #expect(status == .created)
            #expect(body["spiffe_id"] as? String == "spiffe://custos.local/agent/bot/i/p1")
            try (body["certificate"] as? String ?? "").write(to: folder.appendingPathComponent("leaf.pem"), atomically: true, encoding: .utf8)
            try (body["bundle"] as? String ?? "").write(to: folder.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)

            // The chain verifies for TLS clients and servers, name constraints included.
            for purpose in ["sslclient", "sslserver"] {
                let verified = try Self.openssl(["verify", "-purpose", purpose, "-CAfile", "ca.pem", "leaf.pem"], in: folder)
                #expect(verified.status == 0 && verified.output.contains("leaf.pem: OK"), "\(verified.output)")
            }
            let text = try Self.openssl(["x509", "-in", "leaf.pem", "-noout", "-text"], in: folder).output
            #expect(text.contains("URI:spiffe://custos.local/agent/bot/i/p1"))
            #expect(!text.contains("whatever-the-agent-says"))  // the CSR's subject is not used
            #expect(text.contains("CA:FALSE") && text.contains("Digital Signature"))
            let ca = try Self.openssl(["x509", "-in", "ca.pem", "-noout", "-text"], in: folder).output
            #expect(ca.contains("CA:TRUE, pathlen:0") && ca.contains("Permitted:") && ca.contains("URI:custos.local"))
            // Capped by the blueprint's credential lifetime (300 s by default), not the 1 h default.
            let end = try Self.openssl(["x509", "-in", "leaf.pem", "-noout", "-checkend", "301"], in: folder)
            #expect(end.status != 0)
            // The CA is in the trust bundle.
            try await client.execute(uri: "/.well-known/jwks.json", method: .get) {
                let keys = json($0.body)["keys"] as? [[String: Any]] ?? []
                #expect(keys.contains { $0["use"] as? String == "x509-svid" && ($0["x5c"] as? [String])?.count == 1 })
            }
        }
    }

    @Test func badCSRsAndCallersAreRefused() async throws {
        let test = try await TestPlane()
        defer { test.remove() }
        let folder = test.folder.appendingPathComponent("x509-test")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try await buildApplication(test.plane, logger: testLogger).test(.live) { client in
            let svid = try await TokenExchangeTests.agent(client, test, "bot", scopes: [])
            let good = try Self.csr(in: folder)
            let cases: [(String, String?, String, HTTPResponse.Status)] = [
                ("a foreign SPIFFE ID", svid, try Self.csr(in: folder, san: "subjectAltName=URI:spiffe://custos.local/agent/admin/i/p1"), .forbidden),
                ("a DNS name", svid, try Self.csr(in: folder, san: "subjectAltName=DNS:bank.example.com"), .forbidden),
                ("a CA", svid, try Self.csr(in: folder, san: "basicConstraints=critical,CA:TRUE"), .forbidden),
                ("an RSA key", svid, try Self.csr(in: folder, key: "rsa"), .badRequest),
                ("not a CSR", svid, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", .badRequest),
                ("no credential", nil, good, .unauthorized),
                ("the admin token", test.token, good, .unauthorized),
            ]
            for (name, token, csr, expected) in cases {
                let (status, body) = try await Self.post(client, token: token, csr: csr)
                #expect(status == expected, "\(name): \(body)")
                #expect(body["certificate"] == nil)
            }
            // Its own SPIFFE ID may be asked for; a revoked instance gets nothing.
            let own = try Self.csr(in: folder, san: "subjectAltName=URI:spiffe://custos.local/agent/bot/i/p1")
            #expect(try await Self.post(client, token: svid, csr: own).status == .created)
            _ = try await KillSwitchTests.kill(client, test, "instance", "bot/p1")
            #expect(try await Self.post(client, token: svid, csr: good).status == .unauthorized)
        }
    }
}

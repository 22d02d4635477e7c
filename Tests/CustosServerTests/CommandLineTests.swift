import CustosTestSupport
import Foundation
import Testing

/// `custos serve` and `custos agent …` as a user runs them: separate processes over loopback HTTP.
@Suite struct CommandLineTests {
    static var custos: URL { CustosExecutable.url }

    static func run(_ arguments: [String], token: String?) throws -> (status: Int32, output: String) {
        try CustosExecutable.run(arguments, environment: ["CUSTOS_ADMIN_TOKEN": token])
    }

    @Test func serveThenManageAgentsFromTheCommandLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await ServerProcess(dataDirectory: folder)
        // The first start prints the admin token once.
        let token = try #require(server.adminToken)
        let url = server.url
        let registered = try Self.run(
            ["agent", "register", "--server", url, "--id", "triage-bot", "--name", "Triage", "--sponsor", "carol@example.com",
             "--group", "support", "--scope", "tickets:read"], token: token)
        #expect(registered.status == 0, "\(registered.output)")
        #expect(registered.output.contains(#""sponsor":"carol@example.com""#))
        let join = try Self.run(["agent", "join-token", "triage-bot", "--server", url], token: token)
        #expect(join.output.contains("custos_join_"), "\(join.output)")
        let suspended = try Self.run(["agent", "suspend", "triage-bot", "--server", url], token: token)
        #expect(suspended.output.contains(#""status":"suspended""#))
        let wrong = try Self.run(["agent", "list", "--server", url], token: "custos_admin_wrong")
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("401"))
        let missing = try Self.run(["agent", "list", "--server", url], token: nil)
        #expect(missing.status != 0)
        #expect(missing.output.contains("CUSTOS_ADMIN_TOKEN"))
        // SIGTERM stops the server gracefully.
        server.stop()
        #expect(server.process.terminationReason == .exit)
    }
}

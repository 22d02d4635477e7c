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
        let port = Int.random(in: 20_000..<40_000)
        let server = Process()
        server.executableURL = Self.custos
        server.arguments = ["serve", "--data-dir", folder.path, "--port", "\(port)"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        // The first start prints the admin token once.
        var printed = ""
        while !printed.contains("custos_admin_") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        let token = try #require(printed.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("custos_admin_") })
        let url = "http://127.0.0.1:\(port)"
        var registered = (status: Int32(-1), output: "")
        for _ in 0..<50 {  // until the listener is up
            registered = try Self.run(
                ["agent", "register", "--server", url, "--id", "triage-bot", "--name", "Triage", "--sponsor", "carol@example.com",
                 "--group", "support", "--scope", "tickets:read"], token: String(token))
            if registered.status == 0 || registered.output.contains("HTTP") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(registered.status == 0, "\(registered.output)")
        #expect(registered.output.contains(#""sponsor":"carol@example.com""#))
        let join = try Self.run(["agent", "join-token", "triage-bot", "--server", url], token: String(token))
        #expect(join.output.contains("custos_join_"), "\(join.output)")
        let suspended = try Self.run(["agent", "suspend", "triage-bot", "--server", url], token: String(token))
        #expect(suspended.output.contains(#""status":"suspended""#))
        let wrong = try Self.run(["agent", "list", "--server", url], token: "custos_admin_wrong")
        #expect(wrong.status != 0)
        #expect(wrong.output.contains("401"))
        let missing = try Self.run(["agent", "list", "--server", url], token: nil)
        #expect(missing.status != 0)
        #expect(missing.output.contains("CUSTOS_ADMIN_TOKEN"))
        // SIGTERM stops the server gracefully.
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationReason == .exit)
    }
}

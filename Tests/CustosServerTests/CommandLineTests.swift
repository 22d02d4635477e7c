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

    @Test func pushPullDryRunAndRollBackPoliciesFromTheCommandLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await ServerProcess(dataDirectory: folder.appendingPathComponent("data"))
        defer { server.stop() }
        let token = try #require(server.adminToken)
        let url = server.url
        func file(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let narrow = try file("narrow.cedar", #"@id("finance") permit (principal in Group::"finance", action == Action::"read", resource);"#)
        let open = try file("open.cedar", #"@id("all") permit (principal, action == Action::"read", resource);"#)
        let invalid = try file("invalid.cedar", #"permit (principal, action == Action::"teleport", resource);"#)
        let requests = try file("requests.jsonl", #"{"subject": {"type": "Agent", "id": "x"}, "action": {"name": "read"}, "resource": {"type": "Dataset", "id": "crm"}}"# + "\n")

        #expect(try Self.run(["policy", "push", narrow, "-m", "first", "--server", url], token: token).status == 0)
        let refused = try Self.run(["policy", "push", invalid, "--server", url], token: token)
        #expect(refused.status != 0)
        #expect(refused.output.contains("teleport"), "\(refused.output)")
        let dryRun = try Self.run(["policy", "dry-run", "--candidate", open, "--requests", requests, "--server", url], token: token)
        #expect(dryRun.status == 3, "\(dryRun.output)")
        #expect(dryRun.output.contains("1 of 1 decisions would change"))
        #expect(try Self.run(["policy", "push", open, "--server", url], token: token).status == 0)
        #expect(try Self.run(["policy", "pull", "--server", url], token: token).output.contains(#"@id("all")"#))
        let diff = try Self.run(["policy", "diff", "1", "2", "--server", url], token: token)
        #expect(diff.output.contains(#""added":["all"]"#), "\(diff.output)")
        #expect(try Self.run(["policy", "rollback", "--server", url], token: token).output.contains(#""active":1"#))
        let history = try Self.run(["policy", "history", "--server", url], token: token)
        #expect(history.output.contains(#""active":1"#))
        #expect(try Self.run(["policy", "schema"], token: nil).output.contains("entity AgentInstance"))
    }

    @Test func guardScanAndRedactJSONLines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-guard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.jsonl").path
        try """
            {"id": "a", "text": "mail ana@example.org, key AKIAIOSFODNN7EXAMPLE"}
            not json
            """.write(toFile: input, atomically: true, encoding: .utf8)
        let scan = try Self.run(["guard", "scan", "--input", input], token: nil)
        #expect(scan.status != 0, "a bad line fails the run after the rest")
        #expect(scan.output.contains(#""pii":[{"end":20,"score":1.0,"start":5,"type":"EMAIL_ADDRESS"}]"#), "\(scan.output)")
        #expect(scan.output.contains(#""secrets":[{"end":46,"start":26,"type":"AWS_ACCESS_KEY_ID"}]"#))
        #expect(scan.output.contains(#"{"error":"#) && scan.output.contains(#""line":2"#))
        let redacted = try Self.run(["guard", "redact", "--input", input, "--secrets", "block"], token: nil)
        #expect(redacted.output.contains(#""blocked":true"#))
        #expect(!redacted.output.contains("AKIAIOSFODNN7EXAMPLE"), "a blocked text is not echoed")
    }

    @Test func guardRedactsByRulesForADestinationAndAsAStream() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-guard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rules = folder.appendingPathComponent("rules.yaml").path
        try """
            classification: {CREDIT_CARD: restricted}
            labels: {pii: placeholder, secret: mask}
            destinations:
              - zone: internal
                labels: {pii: allow}
              - zone: external
                vendor: openai
                labels: {restricted: block}
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let body = String(repeating: "some words of a long answer ", count: 200)
        let stream = folder.appendingPathComponent("answer.txt").path
        try (body + "mail ana@example.org " + body + "card 4111 1111 1111 1111 " + body).write(toFile: stream, atomically: true, encoding: .utf8)

        let inside = try Self.run(["guard", "redact", "--stream", "--input", stream, "--rules", rules, "--zone", "internal"], token: nil)
        #expect(inside.status == 0 && inside.output.contains("mail ana@example.org") && inside.output.contains("card 4111"))
        let anywhere = try Self.run(["guard", "redact", "--stream", "--input", stream, "--rules", rules, "--look-behind", "64"], token: nil)
        #expect(anywhere.status == 0 && anywhere.output.contains("mail <EMAIL_ADDRESS_1> ") && anywhere.output.contains("card <CREDIT_CARD_1> "))
        #expect(anywhere.output.hasSuffix(body))
        let openAI = try Self.run(
            ["guard", "redact", "--stream", "--input", stream, "--rules", rules, "--zone", "external", "--vendor", "openai"], token: nil)
        #expect(openAI.status == 3, "\(openAI.output.suffix(200))")
        #expect(openAI.output.contains("the stream was blocked") && !openAI.output.contains("4111"))

        let lines = folder.appendingPathComponent("lines.jsonl").path
        try #"{"id": 1, "text": "CONFIDENTIAL\ncard 4111 1111 1111 1111"}"#.write(toFile: lines, atomically: true, encoding: .utf8)
        let scanned = try Self.run(["guard", "scan", "--input", lines, "--rules", rules], token: nil)
        #expect(scanned.output.contains(#""labels":["confidential","restricted","pii"]"#), "\(scanned.output)")
        #expect(scanned.output.contains(#""markings":[{"end":12,"start":0,"type":"confidential"}]"#))

        let blob = folder.appendingPathComponent("blob.txt").path
        try ("ok " + String(repeating: "QUJD", count: 300)).write(toFile: blob, atomically: true, encoding: .utf8)
        let held = try Self.run(["guard", "redact", "--stream", "--input", blob, "--look-behind", "16", "--max-held", "512"], token: nil)
        #expect(held.status == 3 && held.output.contains("longer than the stream's bound"), "\(held.output.suffix(200))")
        let roomy = try Self.run(["guard", "redact", "--stream", "--input", blob, "--look-behind", "16", "--max-held", "2048"], token: nil)
        #expect(roomy.status == 0 && roomy.output.hasSuffix("QUJDQUJD"))

        try "labels: {pii: plac}".write(toFile: rules, atomically: true, encoding: .utf8)
        let bad = try Self.run(["guard", "redact", "--stream", "--input", stream, "--rules", rules], token: nil)
        #expect(bad.status != 0 && bad.output.contains("labels.pii: `plac` is not a mode"))
    }
}

import CustosTestSupport
import Foundation
import Testing

/// The AuthZEN interop vectors against `custos serve --config examples/…/custos.yaml`, as the interop
/// harness runs them: POST each request, compare `decision` (evaluation) or the whole `evaluations`
/// array (evaluations) with the expected answer.
@Suite(.serialized) struct AuthZENInteropTests {
    static let todoVectors = [
        "decisions.json", "decisions-authorization-api-1_0-00.json", "decisions-authorization-api-1_0-01.json",
        "decisions-authorization-api-1_0-02.json",
    ].map { "authzen/interop/authzen-todo-backend/test/\($0)" }
    static let gatewayVectors = ["authzen/interop/authzen-api-gateways/test-harness/test/decisions.json"]

    static let searchVectors = [
        ("authzen/interop/authzen-search-demo/test-harness/src/subject/results.json", "search/subject"),
        ("authzen/interop/authzen-search-demo/test-harness/src/resource/results.json", "search/resource"),
        ("authzen/interop/authzen-search-demo/test-harness/src/action/results.json", "search/action"),
        // The IdP scenario asks which records a user may delete, over the same records.
        ("authzen/interop/authzen-idp/test-harness/src/results.json", "search/resource"),
    ]

    /// Runs every vector of `files` against a server started with `example`'s configuration; returns
    /// how many ran. `endpoint` overrides the endpoint the file's key names (for search vectors).
    func run(example: String, files: [String], endpoint fixed: String? = nil, arguments: [String] = []) async throws -> Int {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-authzen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = SharedDataDirectory.projectRoot.appendingPathComponent("examples/\(example)/custos.yaml").path
        let server = try await ServerProcess(dataDirectory: folder, arguments: ["--config", config] + arguments)
        defer { server.stop() }
        var count = 0
        for file in files {
            let data = try Data(contentsOf: SharedDataDirectory.url(file))
            let vectors = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]])
            for (key, cases) in vectors {
                let endpoint = fixed ?? (key == "evaluations" ? "evaluations" : "evaluation")
                for vector in cases {
                    let request = try JSONSerialization.data(withJSONObject: try #require(vector["request"]))
                    let (status, body) = try await HTTP.send(
                        "POST", "\(server.url)/access/v1/\(endpoint)",
                        headers: ["Content-Type": "application/json", "Authorization": "interop-harness-key"], body: request)
                    #expect(status == 200, "\(file) \(String(decoding: request, as: UTF8.self))")
                    let answer = HTTP.object(body)
                    if endpoint.hasPrefix("search/") {
                        // The harness compares the whole answer: the same results in the same order.
                        let expected = try JSONSerialization.data(withJSONObject: try #require(vector["expected"]), options: .sortedKeys)
                        let actual = try JSONSerialization.data(withJSONObject: answer, options: .sortedKeys)
                        #expect(actual == expected, "\(file): \(String(decoding: request, as: UTF8.self))")
                    } else if endpoint == "evaluation" {
                        #expect(
                            (answer["decision"] as? Bool ?? false) == (vector["expected"] as? Bool),
                            "\(file): \(String(decoding: request, as: UTF8.self))")
                    } else {
                        // The harness compares JSON.stringify of both arrays: same decisions, no extra members.
                        let expected = try JSONSerialization.data(withJSONObject: try #require(vector["expected"]), options: .sortedKeys)
                        let actual = try JSONSerialization.data(withJSONObject: answer["evaluations"] ?? [], options: .sortedKeys)
                        #expect(actual == expected, "\(file): \(String(decoding: request, as: UTF8.self))")
                    }
                    count += 1
                }
            }
        }
        return count
    }

    @Test func todoScenarioAllDrafts() async throws {
        #expect(try await run(example: "authzen-todo", files: Self.todoVectors) == 163)
    }

    /// The same answers with the event loops as the executor (`executor: event_loops`); the example
    /// audits every decision, so the audit log's group commit runs on them too.
    @Test func todoScenarioOnTheEventLoops() async throws {
        #expect(try await run(example: "authzen-todo", files: Self.todoVectors, arguments: ["--executor", "event_loops"]) == 163)
    }

    @Test func searchAndIdPScenarios() async throws {
        var count = 0
        for (file, endpoint) in Self.searchVectors {
            count += try await run(example: "authzen-search", files: [file], endpoint: endpoint)
        }
        #expect(count == 204)
    }

    @Test func apiGatewayScenario() async throws {
        #expect(try await run(example: "authzen-gateway", files: Self.gatewayVectors) == 25)
    }
}

import Cedar
import Foundation
import Testing

/// Cedar's handwritten integration tests (../shared/data/cedar), run in place.
@Suite struct IntegrationSuiteTests {
    @Test func allIntegrationTestsPassThroughTheCommand() throws {
        let cedar = SharedData.url("cedar")
        let (status, output) = try SharedData.runCustos(
            ["policy", "test", "--root", cedar.path, cedar.appendingPathComponent("tests").path])
        #expect(output.contains("74 passed, 0 failed"), "\(output)")
        #expect(status == 0)
    }

    @Test func theLibraryRunnerAgrees() {
        let cedar = SharedData.url("cedar")
        let outcome = IntegrationTestRunner(root: cedar).run(paths: [cedar.appendingPathComponent("tests")])
        #expect(outcome.failures.map(\.description) == [])
        #expect(outcome.passed == 74)
    }

    @Test func aWrongExpectationIsReportedAndFailsTheRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cedar-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"permit(principal == User::"alice", action, resource);"#.write(
            to: folder.appendingPathComponent("p.cedar"), atomically: true, encoding: .utf8)
        try "[]".write(to: folder.appendingPathComponent("e.entities.json"), atomically: true, encoding: .utf8)
        let test = #"""
            {"policies": "p.cedar", "entities": "e.entities.json", "requests": [
              {"description": "alice is allowed", "principal": {"type": "User", "id": "alice"},
               "action": {"type": "Action", "id": "view"}, "resource": {"type": "Photo", "id": "x"},
               "context": {}, "decision": "allow", "reason": ["policy0"], "errors": []},
              {"description": "bob is wrongly expected to be allowed", "principal": {"type": "User", "id": "bob"},
               "action": {"type": "Action", "id": "view"}, "resource": {"type": "Photo", "id": "x"},
               "context": {}, "decision": "allow", "reason": ["policy0"], "errors": []}
            ]}
            """#
        try test.write(to: folder.appendingPathComponent("t.json"), atomically: true, encoding: .utf8)
        let (status, output) = try SharedData.runCustos(["policy", "test", "--root", folder.path, folder.path])
        #expect(output.contains("1 passed, 1 failed"), "\(output)")
        #expect(output.contains("bob is wrongly expected to be allowed"))
        #expect(status == 1)
    }
}

import ArgumentParser
import Cedar
import Foundation

struct PolicyTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run tests in Cedar's integration-test format and report every mismatch.",
        discussion: """
            Each PATH is a test file or a folder; in a folder, the tests are the *.json files other than
            *.entities.json. Relative paths inside a test resolve against --root. Ends with the line
            'N passed, N failed' counting requests; exits with status 1 if any failed.
            """
    )

    @Option(name: .long, help: "Folder that paths inside the tests are relative to (default: the current folder).")
    var root: String = "."
    @Argument(help: "Test files or folders.") var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one test file or folder") }
    }

    func run() async throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let rootURL = URL(fileURLWithPath: root, relativeTo: cwd).standardizedFileURL
        let runner = IntegrationTestRunner(root: rootURL)
        let outcome = runner.run(paths: paths.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL })
        for failure in outcome.failures { print("FAIL \(failure)") }
        print("\(outcome.passed) passed, \(outcome.failed) failed")
        if outcome.failed > 0 { throw ExitCode.failure }
    }
}

import CustosTestSupport
import Foundation

/// Locations of the project, the shared conformance data and the built `custos` executable.
enum SharedData {
    static let projectRoot = SharedDataDirectory.projectRoot
    static let root = SharedDataDirectory.root

    static func url(_ relative: String) -> URL { SharedDataDirectory.url(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    static var custosExecutable: URL { CustosExecutable.url }

    /// Runs `custos` with arguments; returns the exit status and standard output.
    static func runCustos(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
        try CustosExecutable.run(arguments, in: directory)
    }
}

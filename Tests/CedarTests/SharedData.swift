import Foundation

/// Locations of the project, the shared conformance data and the built `custos` executable.
enum SharedData {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/data` beside the project, read in place.
    static let root = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    /// The `custos` executable SwiftPM built next to the test bundle.
    static var custosExecutable: URL {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for directory in candidates {
            for base in [directory, directory.deletingLastPathComponent()] {
                let url = base.appendingPathComponent("custos")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return candidates[0].appendingPathComponent("custos")
    }

    /// Runs `custos` with arguments; returns the exit status and standard output.
    static func runCustos(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = custosExecutable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

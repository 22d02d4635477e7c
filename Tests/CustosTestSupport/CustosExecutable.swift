public import Foundation

/// The `custos` executable SwiftPM built next to the test bundle, and a way to run it.
public enum CustosExecutable {
    public static var url: URL {
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for directory in candidates {
            for base in [directory, directory.deletingLastPathComponent()] {
                let url = base.appendingPathComponent("custos")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        return candidates[0].appendingPathComponent("custos")
    }

    /// Runs `custos` to completion; returns its exit status and combined output.
    public static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:])
        throws -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

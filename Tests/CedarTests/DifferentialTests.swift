import Foundation
import Testing

/// Differential testing against the Rust engine through cedarpy (see Scripts/cedar_differential.py).
/// Runs when CEDARPY_PYTHON names a Python with cedarpy installed, as `.ci/run` arranges.
@Suite struct DifferentialTests {
    static let python = ProcessInfo.processInfo.environment["CEDARPY_PYTHON"]

    @Test(.enabled(if: python != nil, "set CEDARPY_PYTHON to a Python with cedarpy 4.12 to compare with Rust Cedar"))
    func swiftAndRustCedarAgreeOnRandomPoliciesAndRequests() throws {
        let cases = ProcessInfo.processInfo.environment["CEDAR_DIFFERENTIAL_CASES"] ?? "300"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [
            SharedData.projectRoot.appendingPathComponent("Scripts/cedar_differential.py").path,
            "--cases", cases, "--seed", "20261127", "--custos", SharedData.custosExecutable.path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(output.split(separator: "\n").suffix(20).joined(separator: "\n"))
        #expect(output.contains(" passed, 0 failed"), "\(output)")
        #expect(process.terminationStatus == 0)
    }
}

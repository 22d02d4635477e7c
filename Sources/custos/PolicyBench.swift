import ArgumentParser
import Cedar
import Foundation

struct PolicyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure authorization throughput and latency on a workload; prints one JSON object.",
        discussion: """
            Requests are JSON lines {principal, action, resource, context} in the integration-test request
            shape. Everything is loaded first (load time is reported, not counted); then the requests are
            authorized round-robin for --seconds. Policies ending in .json are read as Cedar's JSON policy
            format (with templates and links); other files as Cedar text.
            """
    )

    @Option(name: .long, help: "Policies: Cedar text, or Cedar's JSON policy format (.json).") var policies: String
    @Option(name: .long, help: "Entities JSON file.") var entities: String
    @Option(name: .long, help: "Requests, one JSON object per line.") var requests: String
    @Option(name: .long, help: "Schema (.cedarschema or .json).") var schema: String?
    @Option(name: .long, help: "How long to measure, in seconds.") var seconds: Double = 3

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
    }

    func run() async throws {
        let policies = self.policies
        let entities = self.entities
        do {
            let clock = ContinuousClock()
            let loadStart = clock.now
            let schema = try PolicyInputs.schema(schema)
            // Policies and entities are independent: read them on both cores at once.
            async let loadedPolicies = PolicyInputs.policySet(policies)
            async let loadedEntities = PolicyInputs.entities(entities, schema: schema)
            let parsed = try PolicyInputs.requests(requests, schema: schema)
            let policySet = try await loadedPolicies
            let store = try await loadedEntities
            let loadDuration = loadStart.duration(to: clock.now)
            let result = PolicyBenchmark(policies: policySet, entities: store, requests: parsed)
                .run(for: .milliseconds(Int64(seconds * 1000)))
            let report: [String: Any] = [
                "policies": policySet.policies.count, "entities": store.count, "requests": parsed.count,
                "decisions": result.decisions, "allowed": result.allowed,
                "seconds": (result.seconds * 1000).rounded() / 1000,
                "decisions_per_second": result.decisionsPerSecond.rounded(),
                "p50_us": (result.p50Microseconds * 100).rounded() / 100,
                "p99_us": (result.p99Microseconds * 100).rounded() / 100,
                "load_seconds": ((Double(loadDuration.components.seconds) + Double(loadDuration.components.attoseconds) / 1e18) * 1000).rounded() / 1000,
                "peak_memory_mb": PeakMemory.megabytes(),
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch let failure as CommandFailure {
            throw failure.report()
        }
    }
}

/// The process's peak resident memory (VmHWM), in megabytes; -1 where /proc is unavailable.
enum PeakMemory {
    static func megabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return (kilobytes / 1024 * 10).rounded() / 10
    }
}

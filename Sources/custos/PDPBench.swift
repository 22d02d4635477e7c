import ArgumentParser
import Cedar
import CustosCore
import CustosPolicy
import CustosServer
import Foundation

struct PDPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdp", abstract: "The AuthZEN decision point.", subcommands: [PDPBench.self])
}

struct PDPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure in-process AuthZEN decisions on a deployment; prints one JSON object.",
        discussion: """
            Loads what a server would (the configuration's schema, entities and policies, plus registered
            agents from --agents, JSON lines of registrations), then decides the AuthZEN evaluation objects of
            --requests round-robin: one at a time, and in batches of --batch through the evaluations path
            (on all cores, as the server decides execute_all batches, and on one core).
            Each decision includes the AuthZEN → Cedar mapping; the JSON text is parsed once up front.
            """)

    @Option(name: .long, help: "A custos.yaml whose policy section names the schema, entities and policies.") var config: String
    @Option(name: .long, help: "Agent registrations, one JSON object per line.") var agents: String?
    @Option(name: .long, help: "AuthZEN evaluation objects, one per line.") var requests: String
    @Option(name: .long, help: "Batch size.") var batch: Int = 100
    @Option(name: .long, help: "Seconds per measurement.") var seconds: Double = 3

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard (1...1000).contains(batch) else { throw ValidationError("--batch must be 1-1000") }
    }

    func run() async throws {
        do {
            let configuration = try ServerConfiguration(
                yaml: try PolicyInputs.text(config), baseDirectory: URL(fileURLWithPath: config).deletingLastPathComponent().path)
            let schema = try PolicySetup.schema(configuration)
            let service = try DecisionService(configured: try PolicySetup.entities(configuration, schema: schema))
            if let agents {
                // Registered as the server registers them: the same defaults and validation.
                let registry = AgentRegistry(repository: InMemoryAgentRepository())
                var list: [Agent] = []
                for line in try PolicyInputs.text(agents).split(whereSeparator: \.isNewline) {
                    list.append(try await registry.register(
                        try JSONDecoder().decode(AgentRegistration.self, from: Data(line.utf8))))
                }
                try service.load(agents: list)
            }
            guard let policyFile = configuration.initialPoliciesFile else {
                throw CommandFailure("the configuration names no policy.policies file")
            }
            let policies = try PolicyCompiler(schema: schema).compile(PolicyDraft(policies: try PolicyInputs.text(policyFile)))
            service.activate(version: 1, policies: policies)
            let pdp = AuthZENPDP(service: service, schema: schema, timeZone: .gmt)
            let evaluations = try PolicyInputs.text(requests).split(whereSeparator: \.isNewline).map { line in
                guard case .object(let fields) = try JSONValue.decode(String(line)) else {
                    throw CommandFailure("\(requests): every line must be a JSON object")
                }
                return try AuthZENParts(json: fields).evaluation()
            }
            guard !evaluations.isEmpty else { throw CommandFailure("\(requests) holds no requests") }
            let now = Date()
            var allowed = 0
            for evaluation in evaluations where try pdp.decide(evaluation, at: now).isAllowed { allowed += 1 }

            let duration = Duration.milliseconds(Int64(seconds * 1000))
            let single = Self.measure(for: duration) { index in
                _ = try? pdp.decide(evaluations[index % evaluations.count], at: now)
            }
            let batches = stride(from: 0, to: evaluations.count, by: batch).map { start in
                try! AuthZENBatch(json: .object([
                    "evaluations": .array(evaluations[start..<min(start + batch, evaluations.count)].map(Self.json))
                ]))
            }.filter { $0.items.count == batch }
            guard !batches.isEmpty else { throw CommandFailure("fewer requests than one batch of \(batch)") }
            let batched = Self.measure(for: duration) { index in
                _ = try? pdp.decide(batches[index % batches.count], at: now)
            }
            let sequential = Self.measure(for: duration) { index in
                _ = try? pdp.decide(batches[index % batches.count], at: now, parallel: false)
            }
            let report: [String: Any] = [
                "policies": policies.policies.count, "entities": service.snapshot.entities.count,
                "requests": evaluations.count, "allowed": allowed,
                "single_per_second": single.perSecond.rounded(), "single_p50_us": single.p50, "single_p99_us": single.p99,
                "batch_size": batch, "batch_p50_us": batched.p50, "batch_p99_us": batched.p99,
                "batch_evaluations_per_second": (batched.perSecond * Double(batch)).rounded(),
                "batch_one_core_p50_us": sequential.p50, "batch_one_core_p99_us": sequential.p99,
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } catch let failure as CommandFailure {
            throw failure.report()
        } catch let error as CustosError {
            throw CommandFailure(error.message).report()
        } catch let error as CedarError {
            throw CommandFailure(error.description).report()
        }
    }

    private static func json(_ evaluation: AuthZENEvaluation) -> JSONValue {
        func entity(_ e: AuthZENEntity) -> JSONValue {
            .object(["type": .string(e.type), "id": .string(e.id), "properties": .object(e.properties)])
        }
        return .object([
            "subject": entity(evaluation.subject), "action": .object(["name": .string(evaluation.action)]),
            "resource": entity(evaluation.resource), "context": .object(evaluation.context),
        ])
    }

    /// Runs `body` with increasing indices for `duration`; per-call latency percentiles in microseconds.
    private static func measure(for duration: Duration, _ body: (Int) -> Void) -> (perSecond: Double, p50: Double, p99: Double) {
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        latencies.reserveCapacity(1 << 20)
        let start = clock.now
        var index = 0
        while start.duration(to: clock.now) < duration {
            let before = clock.now
            body(index)
            latencies.append(before.duration(to: clock.now))
            index += 1
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        latencies.sort()
        func micros(_ d: Duration) -> Double {
            ((Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12) * 100).rounded() / 100
        }
        return (Double(index) / seconds, micros(latencies[latencies.count / 2]), micros(latencies[latencies.count * 99 / 100]))
    }
}

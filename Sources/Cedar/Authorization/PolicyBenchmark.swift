/// Measures authorization throughput and latency for a fixed set of requests, as `custos policy bench`
/// reports it. Loading is done by the caller and is not timed here.
public struct PolicyBenchmark: Sendable {
    public struct Result: Sendable {
        public var decisions: Int
        public var seconds: Double
        public var decisionsPerSecond: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var allowed: Int
    }

    public let policies: PolicySet
    public let entities: Entities
    public let requests: [Request]

    public init(policies: PolicySet, entities: Entities, requests: [Request]) {
        self.policies = policies
        self.entities = entities
        self.requests = requests
    }

    /// Authorizes the requests round-robin until `duration` has passed, timing each decision.
    public func run(for duration: Duration) -> Result {
        let authorizer = Authorizer()
        let clock = ContinuousClock()
        var latencies: [Int64] = []
        latencies.reserveCapacity(1 << 20)
        var allowed = 0
        let start = clock.now
        let deadline = start.advanced(by: duration)
        var index = 0
        while true {
            let before = clock.now
            let response = authorizer.isAuthorized(requests[index], policies: policies, entities: entities)
            let after = clock.now
            if response.decision == .allow { allowed += 1 }
            let elapsed = before.duration(to: after)
            latencies.append(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            index += 1
            if index == requests.count { index = 0 }
            if after >= deadline && index == 0 { break }
        }
        let total = start.duration(to: clock.now)
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1000
        }
        return Result(
            decisions: latencies.count, seconds: seconds, decisionsPerSecond: Double(latencies.count) / seconds,
            p50Microseconds: percentile(0.50), p99Microseconds: percentile(0.99), allowed: allowed)
    }
}

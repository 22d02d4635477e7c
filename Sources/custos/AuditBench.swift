import ArgumentParser
import Cedar
import CustosAudit
import CustosCore
import CustosStore
import Foundation

struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the audit log on this machine; prints one JSON object.",
        discussion: """
            In a fresh audit database under --dir (SQLite, synchronous=FULL, as `custos serve` uses):
            durable appends per second with 1, 8, 64 and 256 concurrent writers (each append returns only once
            committed), with the search index's lag behind the appends after each; then the log is filled to
            --records, the search index catches up (timed), and inclusion proofs are timed at that size;
            then the whole log is verified from its records (as `custos audit verify` does).
            """
    )

    @Option(help: "Folder for the benchmark database (default: a new temporary folder, removed afterwards).") var dir: String?
    @Option(help: "Seconds per writer count.") var seconds = 3.0
    @Option(help: "Log size for the proof and verification measurements.") var records = 1_000_000
    @Option(help: "Inclusion proofs to time.") var proofs = 10_000

    func run() async throws {
        let folder = dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("custos-audit-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(at: folder) } }
        let path = folder.appendingPathComponent("audit.sqlite").path
        // The key is kept beside the database, so a kept --dir can be measured again.
        let keyFile = folder.appendingPathComponent("audit.key")
        let signer = try (try? String(contentsOf: keyFile, encoding: .utf8)).map {
            try NoteSigner(signerKey: $0.trimmingCharacters(in: .whitespacesAndNewlines))
        } ?? NoteSigner(name: "bench.local/audit")
        try (signer.signerKey + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let store = try SQLiteAuditStore(path: path)
        let log = try await AuditLog.open(store: store, signer: signer)
        var result: [String: Any] = [:]

        for writers in [1, 8, 64, 256] {
            let (count, elapsed) = try await Self.append(to: log, writers: writers, for: seconds)
            result["appends_per_second_\(writers)_writers"] = Int(Double(count) / elapsed)
            // The search index is written behind the appends: how far behind it was at the end.
            result["search_index_lag_after_\(writers)_writers"] = try await store.searchIndexState().lag
        }

        let fillStart = Date()
        let missing = max(0, records - Int(log.health.size))
        try await Self.fill(log, count: missing, writers: 256)
        result["fill_records_per_second"] = Int(Double(missing) / Date().timeIntervalSince(fillStart))
        let size = log.health.size
        result["records"] = size
        result["search_index_lag_after_fill"] = try await store.searchIndexState().lag
        let catchUp = ContinuousClock.now
        try await store.indexAll()
        result["search_index_catch_up_seconds"] = Self.round(Self.microseconds(ContinuousClock.now - catchUp) / 1_000_000)
        try await log.checkpoint()

        var latencies: [Double] = []
        latencies.reserveCapacity(proofs)
        for _ in 0..<proofs {
            let index = UInt64.random(in: 0..<size)
            let started = ContinuousClock.now
            _ = try await log.inclusionProof(index: index)
            latencies.append(Self.microseconds(ContinuousClock.now - started))
        }
        latencies.sort()
        result["inclusion_proof_p50_us"] = Self.round(latencies[latencies.count / 2])
        result["inclusion_proof_p99_us"] = Self.round(latencies[min(latencies.count - 1, latencies.count * 99 / 100)])

        let verifyStart = ContinuousClock.now
        let report = try await SQLiteAuditStore(readingOnly: path).read { try LogVerifier.verify($0, verifier: signer.verifier) }
        let verifySeconds = Self.microseconds(ContinuousClock.now - verifyStart) / 1_000_000
        guard report.isValid else { throw CommandFailure("the benchmark log does not verify: \(report.problems)").report() }
        result["verify_records_per_second"] = Int(Double(report.records) / verifySeconds)
        result["verify_seconds"] = Self.round(verifySeconds)
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func record(_ n: Int) -> AuditRecord {
        var record = AuditRecord(kind: .decision)
        record.agent = "agent-\(n % 1000)"
        record.executedBy = "spiffe://bench.local/agent/agent-\(n % 1000)/i/1"
        record.authorizedBy = "User::\"u\(n % 5000)\""
        record.action = "call_tool"
        record.resource = "Tool::\"search\""
        record.decision = n % 10 == 0 ? .deny : .allow
        record.policies = ["policy\(n % 50)"]
        record.policyVersion = "v12"
        record.requestDigest = "sha256:" + String(repeating: "ab", count: 32)
        record.session = "s-\(n % 10_000)"
        return record
    }

    /// Appends from `writers` concurrent tasks for `seconds`; returns the count and the elapsed time.
    static func append(to log: AuditLog, writers: Int, for seconds: Double) async throws -> (Int, Double) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var n = 0
                    while ContinuousClock.now < deadline {
                        _ = try await log.append(record(writer * 1_000_000 + n))
                        n += 1
                    }
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
        return (count, microseconds(ContinuousClock.now - started) / 1_000_000)
    }

    static func fill(_ log: AuditLog, count: Int, writers: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in stride(from: writer, to: count, by: writers) { _ = try await log.append(record(n)) }
                }
            }
            try await group.waitForAll()
        }
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000_000 + Double(duration.components.attoseconds) / 1e12
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

import Cedar
import CustosCore
@testable import CustosAudit
import CustosStore
import Foundation
import GRDB
import Synchronization
import Testing

/// Retention pruning: records go, the tree stays verifiable, and a pruning the log does not record
/// is reported.
@Suite struct AuditRetentionTests {
    let folder: URL
    let path: String
    let signer: NoteSigner
    /// The log's clock, in microseconds: each record of `fill` is one second apart.
    let clock = Clock()

    final class Clock: Sendable {
        let now = Mutex<Int64>(1_700_000_000_000_000)
        func advance(seconds: Int64) { now.withLock { $0 += seconds * 1_000_000 } }
        var read: Int64 { now.withLock { $0 } }
    }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-retention-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("audit.sqlite").path
        signer = try NoteSigner(name: "test.example/audit")
    }

    func openLog() async throws -> AuditLog {
        let clock = clock
        return try await AuditLog.open(store: try SQLiteAuditStore(path: path), signer: signer, now: { clock.read })
    }

    /// Appends `count` records one second apart, signing a checkpoint every 10.
    func fill(_ log: AuditLog, count: Int) async throws {
        for n in 0..<count {
            _ = try await log.append(AuditLogTests.record(n))
            clock.advance(seconds: 1)
            if n % 10 == 9 { try await log.checkpoint() }
        }
    }

    func verify() async throws -> LogVerificationReport {
        try await SQLiteAuditStore(readingOnly: path).read { [signer] in try LogVerifier.verify($0, verifier: signer.verifier, batchSize: 7) }
    }

    @Test func pruningKeepsTheTreeVerifiable() async throws {
        let log = try await openLog()
        let start = clock.read
        try await fill(log, count: 45)
        let before = try await log.latestCheckpoint()
        // Records 0-19 are older than the cutoff.
        let first = try await log.prune(before: start + 20 * 1_000_000)
        #expect(first == 20)
        #expect(log.health.size == 46)
        let report = try await verify()
        #expect(report.isValid, "\(report.problems)")
        #expect(report.prunedBefore == 20)
        #expect(report.records == 46)
        #expect(report.checkpointsVerified >= 5)
        // The pruning is in the log, and what was pruned is refused clearly.
        let pruned = try AuditRecord(canonicalBytes: try await log.records(in: 45..<46)[0].bytes)
        #expect(pruned.event == "audit.pruned")
        #expect(pruned.details["before"] == .integer(20))
        await #expect(throws: CustosError.notFound("")) { try await log.records(in: 5..<25) }
        #expect(try await log.records(in: 20..<22).map(\.index) == [20, 21])
        // Proofs over the pruned part still come from the kept tree.
        let (size, proof) = try await log.inclusionProof(index: 3)
        let leaf = try await SQLiteAuditStore(readingOnly: path).read { try $0.hash(level: 0, index: 3) }
        let root = try await log.read { try MerkleTree(reader: $0, size: size).root() }
        try ProofVerification.verifyInclusion(
            leafHash: leaf.bytes, index: 3, treeSize: size, proof: proof.map(\.bytes), root: root.bytes)
        _ = try await log.consistencyProof(from: try #require(before).size)
        var query = AuditQuery()
        query.agent = "agent-1"
        #expect(try await log.search(query).allSatisfy { $0.index >= 20 })
        // The log reopens over the pruned store, and nothing older means nothing to prune.
        let reopened = try await openLog()
        #expect(try await reopened.prune(before: start + 20 * 1_000_000) == nil)
        #expect(reopened.health.size == 46)
        // A later pruning moves forward.
        #expect(try await reopened.prune(before: start + 30 * 1_000_000) == 30)
        #expect(try await verify().prunedBefore == 30)
        #expect(try await verify().isValid)
    }

    @Test func prunedRecordsCannotBeDeletedBeyondThePruningOrTheRecordMovedBack() async throws {
        let log = try await openLog()
        let start = clock.read
        try await fill(log, count: 30)
        try await log.prune(before: start + 10 * 1_000_000)
        let database = try openAuditDatabase(path)
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_record WHERE idx = 10") } }
        #expect(throws: DatabaseError.self) {
            try database.write { try $0.execute(sql: "INSERT INTO audit_pruning (before, record_idx, time) VALUES (5, 30, 0)") }
        }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_pruning") } }
        #expect(try await verify().isValid)
    }

    @Test func aPruningTheLogDoesNotRecordIsReported() async throws {
        let log = try await openLog()
        try await fill(log, count: 30)
        // Someone with the file claims a pruning, pointing at an ordinary record, and deletes records.
        let database = try openAuditDatabase(path)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO audit_pruning (before, record_idx, time) VALUES (12, 25, 0)")
            try db.execute(sql: "DELETE FROM audit_record WHERE idx < 12")
        }
        let report = try await verify()
        #expect(!report.isValid)
        #expect(report.firstBadIndex == 0)
        #expect(report.problems.contains { $0.contains("is not the `audit.pruned` record") }, "\(report.problems)")
    }

    @Test func anAlteredHashBelowThePruningIsCaughtByTheCheckpoints() async throws {
        let log = try await openLog()
        let start = clock.read
        try await fill(log, count: 40)
        try await log.prune(before: start + 32 * 1_000_000)
        let database = try openAuditDatabase(path)
        try await database.write { db in
            for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(name)")
            }
            // The perfect subtree of records 0-31 stands for the whole pruned part.
            try db.execute(sql: "UPDATE audit_tree SET hash = zeroblob(32) WHERE level = 5 AND last = 31")
        }
        let report = try await verify()
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.contains("checkpoint") }, "\(report.problems)")
    }
}

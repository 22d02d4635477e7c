import Cedar
import CustosCore
@testable import CustosAudit
@testable import CustosStore
import Foundation
import CustosTestSupport
import GRDB
import Testing

/// The log over the real SQLite store: group commit, checkpoints, proofs, reopening, and tampering
/// detected by the verifier.
@Suite struct AuditLogTests {
    let folder: URL
    let path: String
    let signer: NoteSigner

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("audit.sqlite").path
        signer = try NoteSigner(name: "test.example/audit")
    }

    func openLog() async throws -> AuditLog {
        try await AuditLog.open(store: try SQLiteAuditStore(path: path), signer: signer)
    }

    static func record(_ n: Int) -> AuditRecord {
        var record = AuditRecord(kind: .decision)
        record.agent = "agent-\(n % 7)"
        record.executedBy = "spiffe://test.example/agent/agent-\(n % 7)/i/1"
        record.action = n % 2 == 0 ? "call_tool" : "read"
        record.resource = "Tool::\"t\(n)\""
        record.decision = n % 3 == 0 ? .deny : .allow
        record.policies = ["policy\(n % 4)"]
        record.details = ["n": .integer(Int64(n))]
        return record
    }

    /// Appends `count` records from concurrent tasks; returns the receipts.
    static func appendConcurrently(_ log: AuditLog, count: Int, offset: Int = 0) async throws -> [AuditReceipt] {
        try await withThrowingTaskGroup(of: AuditReceipt.self) { group in
            for n in 0..<count { group.addTask { try await log.append(record(offset + n)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func concurrentAppendsGetDistinctIndicesAndProveInclusion() async throws {
        let log = try await openLog()
        let receipts = try await Self.appendConcurrently(log, count: 300)
        #expect(Set(receipts.map(\.index)) == Set(0..<300))
        #expect(log.health.size == 300)
        let note = try await log.checkpoint()
        let checkpoint = try Checkpoint.open(note, verifier: signer.verifier, origin: "test.example/audit")
        #expect(checkpoint.size == 300)
        #expect(checkpoint.root == log.health.root)
        let stored = try await log.records(in: 0..<300)
        #expect(stored.map(\.index) == Array(0..<300))
        for receipt in receipts.prefix(40) {
            let (size, proof) = try await log.inclusionProof(index: receipt.index, size: checkpoint.size)
            #expect(size == 300)
            #expect(TreeHash.leaf(stored[Int(receipt.index)].bytes) == receipt.leafHash)
            try ProofVerification.verifyInclusion(
                leafHash: receipt.leafHash.bytes, index: receipt.index, treeSize: size, proof: proof.map(\.bytes),
                root: checkpoint.root.bytes)
        }
        // Times never decrease with the index.
        let times = try stored.map { try AuditRecord(canonicalBytes: $0.bytes).time }
        #expect(times == times.sorted())
    }

    @Test func checkpointsAreConsistentAcrossGrowthAndReopening() async throws {
        let first: Checkpoint
        do {
            let log = try await openLog()
            _ = try await Self.appendConcurrently(log, count: 37)
            first = try Checkpoint.open(try await log.checkpoint(), verifier: signer.verifier)
            #expect(try await log.checkpoint() == (try await log.latestCheckpoint())?.note)
        }
        let log = try await openLog()
        #expect(log.health.size == 37)
        #expect(log.health.root == first.root)
        _ = try await Self.appendConcurrently(log, count: 64, offset: 37)
        let second = try Checkpoint.open(try await log.checkpoint(), verifier: signer.verifier)
        #expect(second.size == 101)
        let (_, proof) = try await log.consistencyProof(from: first.size, to: second.size)
        try ProofVerification.verifyConsistency(
            size1: first.size, size2: second.size, proof: proof.map(\.bytes), root1: first.root.bytes, root2: second.root.bytes)
        let report = try await SQLiteAuditStore(path: path).read { try LogVerifier.verify($0, verifier: signer.verifier) }
        #expect(report.isValid, "\(report.problems)")
        #expect(report.records == 101)
        #expect(report.checkpointsVerified == 2)
    }

    @Test func theStoreIsDurableAndAppendOnly() async throws {
        let store = try SQLiteAuditStore(path: path)
        #expect(try await store.synchronousLevel() == 2)
        let log = try await AuditLog.open(store: store, signer: signer)
        for n in 1...16 { _ = try await log.append(Self.record(n)) }  // completes a stored subtree of 16
        try await log.checkpoint()
        let database = try openAuditDatabase(path)
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "UPDATE audit_record SET kind = 'event'") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "UPDATE audit_record SET leaf = NULL") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_record") } }
        try await database.write { try $0.execute(sql: "INSERT INTO audit_node (level, idx, hash) VALUES (0, 99, x'00')") }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_node") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_tree") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "UPDATE audit_tree SET hash = x'00'") } }
        #expect(throws: DatabaseError.self) { try database.write { try $0.execute(sql: "DELETE FROM audit_checkpoint") } }
    }

    /// Searches give the same pages whether the records are indexed, not yet indexed, or half of each.
    @Test func searchesAgreeAcrossTheIndexedPartAndTheTail() async throws {
        let store = try SQLiteAuditStore(path: path)
        let log = try await AuditLog.open(store: store, signer: signer)
        for n in 0..<120 { _ = try await log.append(Self.record(n)) }
        var query = AuditQuery()
        query.agent = "agent-3"
        query.action = "read"
        query.limit = 4
        func pages() async throws -> [[UInt64]] {
            var result: [[UInt64]] = []
            var page = query
            while true {
                let found = try await store.read { [page] in try $0.search(page) }
                guard !found.isEmpty else { return result }
                result.append(found.map(\.index))
                page.after = found.last?.index
            }
        }
        func expected(below end: UInt64) -> [UInt64] { (0..<end).filter { $0 % 7 == 3 && $0 % 2 == 1 } }
        let unindexed = try await pages()
        #expect(unindexed.flatMap { $0 } == expected(below: 120))
        try await store.indexAll()
        #expect(try await store.searchIndexState() == SearchIndexState(lag: 0, failure: nil))
        for n in 120..<200 { _ = try await log.append(Self.record(n)) }
        let split = try await pages()
        #expect(split.flatMap { $0 } == expected(below: 200))
        #expect(split.allSatisfy { $0.count <= 4 })
        try await store.indexAll()
        #expect(try await pages() == split)
        query.user = "nobody"
        #expect(try await pages().isEmpty)
    }

    /// The search index is derived data in its own file: deleted, it is rebuilt, and searches meanwhile
    /// find everything by scan.
    @Test func aDeletedSearchIndexIsRebuilt() async throws {
        var query = AuditQuery()
        query.agent = "agent-3"
        do {
            let store = try SQLiteAuditStore(path: path)
            let log = try await AuditLog.open(store: store, signer: signer)
            for n in 0..<40 { _ = try await log.append(Self.record(n)) }
            try await store.indexAll()
        }
        let searchFile = URL(fileURLWithPath: path).deletingPathExtension().path + "-search.sqlite"
        #expect(FileManager.default.fileExists(atPath: searchFile))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: searchFile + suffix) }
        let store = try SQLiteAuditStore(path: path)
        let found = try await store.read { [query] in try $0.search(query) }
        #expect(found.map(\.index) == [3, 10, 17, 24, 31, 38])
        try await store.indexAll()
        #expect(try await store.searchIndexState() == SearchIndexState(lag: 0, failure: nil))
        let again = try await store.read { [query] in try $0.search(query) }
        #expect(again == found)
    }

    /// A log written with every tree node in `audit_node` (before `audit_tree`) opens, verifies and
    /// proves after the migrations move its inner nodes and give new records their leaf in their row.
    @Test func aLogInTheFirstLayoutIsMigrated() async throws {
        let database = try openAuditDatabase(path)
        try SQLiteAuditStore.migrator.migrate(database, upTo: "v3-audit-retention")
        let root = try await database.write { db in
            var range = CompactRange()
            for n in 0..<37 {
                var record = Self.record(n)
                record.time = 1_700_000_000_000_000 + Int64(n)
                let bytes = try record.canonicalBytes()
                try db.execute(
                    sql: "INSERT INTO audit_record (idx, record, time, kind) VALUES (?, ?, ?, 'decision')",
                    arguments: [n, Data(bytes), record.time])
                for node in range.append(.leaf(bytes)) {
                    try db.execute(
                        sql: "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)",
                        arguments: [node.level, Int64(node.index), Data(node.hash.bytes)])
                }
            }
            return range.root
        }
        let log = try await openLog()
        #expect(log.health.size == 37)
        #expect(log.health.root == root)
        let note = try await log.checkpoint()
        let checkpoint = try Checkpoint.open(note, verifier: signer.verifier, origin: "test.example/audit")
        let (size, proof) = try await log.inclusionProof(index: 21)
        let leaf = TreeHash.leaf(try await log.records(in: 21..<22)[0].bytes)
        try ProofVerification.verifyInclusion(
            leafHash: leaf.bytes, index: 21, treeSize: size, proof: proof.map(\.bytes), root: checkpoint.root.bytes)
        _ = try await Self.appendConcurrently(log, count: 20, offset: 37)
        let later = try Checkpoint.open(try await log.checkpoint(), verifier: signer.verifier, origin: "test.example/audit")
        let report = try await verify()
        #expect(report.isValid, "\(report.problems)")
        #expect(report.records == 57)
        // Proofs across both layouts: leaves in audit_node before, in the record rows after.
        for index: UInt64 in [5, 36, 37, 50] {
            let (size, proof) = try await log.inclusionProof(index: index)
            let leaf = TreeHash.leaf(try await log.records(in: index..<index + 1)[0].bytes)
            try ProofVerification.verifyInclusion(
                leafHash: leaf.bytes, index: index, treeSize: size, proof: proof.map(\.bytes), root: later.root.bytes)
        }
    }

    @Test func aStoreThatCannotWriteFailsEveryAppendAndShowsInHealth() async throws {
        let store = FlakyAuditStore(try SQLiteAuditStore(path: path))
        let log = try await AuditLog.open(store: store, signer: signer)
        _ = try await log.append(Self.record(0))
        store.failWrites(true)
        await #expect(throws: CustosError.unavailable("")) {
            _ = try await Self.appendConcurrently(log, count: 20, offset: 1)
        }
        await #expect(throws: CustosError.unavailable("")) { try await log.checkpoint() }
        #expect(log.health.size == 1)
        #expect(log.health.failure != nil)
        #expect(log.health.failedAppends >= 1)
        #expect(log.health.failedCheckpoints == 1)
        store.failWrites(false)
        let receipt = try await log.append(Self.record(21))
        #expect(receipt.index == 1)
        #expect(log.health.failure == nil)
        try await log.checkpoint()
        #expect(try await verify().isValid)
    }

    @Test func invalidRecordsAreRefusedAndChangeNothing() async throws {
        let log = try await openLog()
        var record = Self.record(1)
        record.action = "bad\u{0}action"
        await #expect(throws: CustosError.invalidRequest("")) { try await log.append(record) }
        record = Self.record(2)
        record.details = ["ratio": .double(0.5)]
        await #expect(throws: CustosError.invalidRequest("")) { try await log.append(record) }
        #expect(log.health.size == 0)
    }

    /// Runs `sql` on the audit database with its append-only triggers removed: what an operator with
    /// file access could do.
    func tamper(_ sql: String) throws {
        let database = try openAuditDatabase(path)
        try database.write { db in
            for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
                try db.execute(sql: "DROP TRIGGER \(name)")
            }
            try db.execute(sql: sql)
        }
    }

    /// Verifies in batches of 7 records, so that every check crosses batch boundaries.
    func verify() async throws -> LogVerificationReport {
        try await SQLiteAuditStore(path: path).read { [signer] in try LogVerifier.verify($0, verifier: signer.verifier, batchSize: 7) }
    }

    func prepareLog(records: Int = 50) async throws {
        let log = try await openLog()
        _ = try await Self.appendConcurrently(log, count: records)
        try await log.checkpoint()
        #expect(try await verify().isValid)
    }

    @Test func anAlteredRecordIsFoundByIndex() async throws {
        try await prepareLog()
        try tamper("UPDATE audit_record SET record = CAST(REPLACE(CAST(record AS TEXT), 'agent-', 'agEnt-') AS BLOB) WHERE idx = 12")
        let report = try await verify()
        #expect(!report.isValid)
        #expect(report.firstBadIndex == 12, "\(report.problems)")
    }

    @Test func aDroppedRecordIsFoundByIndex() async throws {
        try await prepareLog()
        try tamper("DELETE FROM audit_record WHERE idx = 20")
        let report = try await verify()
        #expect(report.firstBadIndex == 20, "\(report.problems)")
    }

    @Test func truncationIsDetected() async throws {
        try await prepareLog()
        try tamper("DELETE FROM audit_record WHERE idx >= 45")
        let report = try await verify()
        #expect(report.firstBadIndex == 45, "\(report.problems)")
        #expect(report.problems.contains { $0.contains("truncated") })
    }

    @Test func swappedRecordsAreDetected() async throws {
        try await prepareLog()
        try tamper(
            """
            UPDATE audit_record SET record = CASE idx WHEN 3 THEN (SELECT record FROM audit_record WHERE idx = 4)
            ELSE (SELECT record FROM audit_record WHERE idx = 3) END WHERE idx IN (3, 4)
            """)
        let report = try await verify()
        #expect(report.firstBadIndex == 3, "\(report.problems)")
    }

    @Test func aForgerWhoRewritesEveryHashIsStillCaughtByTheCheckpoint() async throws {
        try await prepareLog()
        // Rewrite record 30 and recompute the stored leaf hash to match: only the signed checkpoint is left.
        let database = try openAuditDatabase(path)
        let bytes = try await database.read { try Data.fetchOne($0, sql: "SELECT record FROM audit_record WHERE idx = 30") } ?? Data()
        let forged = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "agent-", with: "agEnt-").utf8)
        let leaf = Data(TreeHash.leaf(forged).bytes)
        try tamper("""
            UPDATE audit_record SET record = x'\(forged.map { String(format: "%02x", $0) }.joined())',
            leaf = x'\(leaf.map { String(format: "%02x", $0) }.joined())' WHERE idx = 30
            """)
        let report = try await verify()
        #expect(!report.isValid)
        #expect(!report.problems.contains { $0.contains("no longer match the leaf hash") }, "the stored leaf matches the forged record")
        #expect(report.problems.contains { $0.contains("do not reproduce the checkpoint of size 50") }, "\(report.problems)")
        // The stored tree no longer matches the checkpoint either, once the upper nodes are rewritten too.
        try tamper("DELETE FROM audit_tree WHERE level = 5 AND last = 31")
        await #expect(throws: CustosError.unavailable("")) { try await openLog() }
    }

    @Test func aCheckpointSignedByAnotherKeyIsRejected() async throws {
        try await prepareLog()
        let other = try NoteSigner(name: "test.example/audit")
        let forged = try other.sign(Checkpoint(origin: "test.example/audit", size: 60, root: .emptyTree).text)
        try tamper("INSERT INTO audit_checkpoint (size, note, time) VALUES (60, '\(forged)', 0)")
        let report = try await verify()
        #expect(report.problems.contains { $0.contains("does not verify") }, "\(report.problems)")
        await #expect(throws: CustosError.unavailable("")) { try await openLog() }
    }
}

import Cedar
import CustosCore
import Dispatch
import Foundation

/// The outcome of checking a whole stored log against its signed checkpoints.
public struct LogVerificationReport: Equatable, Sendable {
    /// Records read.
    public var records: UInt64 = 0
    /// Checkpoints whose signature verified and whose root the records reproduce.
    public var checkpointsVerified = 0
    /// The root recomputed from all records (and, below a pruning, the stored tree).
    public var root: TreeHash = .emptyTree
    /// The first record kept by retention pruning; records below it are gone by design.
    public var prunedBefore: UInt64 = 0
    /// The first record found bad (missing, altered, out of place), when one can be named.
    public var firstBadIndex: UInt64?
    /// What is wrong, first problem first; empty when the log verifies.
    public var problems: [String] = []

    public var isValid: Bool { problems.isEmpty }
}

/// Recomputes a stored log from its records alone and checks it against every signed checkpoint.
///
/// Leaf hashes are computed from the record bytes; nothing else stored is trusted. A record
/// whose bytes no longer match the leaf hash stored when it was appended is named by index; a
/// gap in the indices names the first missing record; a checkpoint the records do not reproduce
/// bounds the first bad record between the last good checkpoint and it (a forger who also rewrote
/// the stored hashes leaves no finer trace); a checkpoint larger than the log means truncation.
///
/// After retention pruning, the pruned part enters through its stored perfect-subtree hashes,
/// which the signed checkpoints bind: a checkpoint no longer reproduced points at them. The pruning
/// itself must be recorded in the log by an `audit.pruned` record that a verified checkpoint covers;
/// records deleted without one are reported.
public enum LogVerifier {
    public static func verify(_ snapshot: any AuditSnapshot, verifier: NoteVerifier) throws -> LogVerificationReport {
        try verify(snapshot, verifier: verifier, batchSize: RecordBatch.defaultCapacity)
    }

    /// `batchSize`: records hashed together (small in tests, so that batch boundaries are crossed).
    static func verify(_ snapshot: any AuditSnapshot, verifier: NoteVerifier, batchSize: Int) throws -> LogVerificationReport {
        let tree = TreeCheck()
        for stored in try snapshot.checkpoints() {
            do {
                let checkpoint = try Checkpoint.open(stored.note, verifier: verifier, origin: verifier.name)
                guard checkpoint.size == stored.size else {
                    tree.problem("the checkpoint stored under size \(stored.size) is for size \(checkpoint.size)")
                    continue
                }
                tree.pending.append(checkpoint)
            } catch {
                tree.problem("the checkpoint of size \(stored.size) does not verify: \(error)")
            }
        }
        let end = try snapshot.size()
        let pruning = try snapshot.pruning()
        if let pruning {
            tree.report.prunedBefore = pruning.before
            // Checkpoints within the pruned part are checked against the stored tree alone.
            while let next = tree.pending.first, next.size < pruning.before {
                tree.pending.removeFirst()
                if (try? MerkleTree(reader: snapshot, size: next.size).root()) == next.root {
                    tree.verified(next)
                } else {
                    tree.problem("the stored tree below the pruning does not reproduce the checkpoint of size \(next.size)")
                }
            }
            do {
                tree.range = try CompactRange(size: pruning.before, reader: snapshot)
            } catch {
                tree.problem("the stored tree of the pruned records below \(pruning.before) is incomplete: \(error)", at: 0)
            }
            tree.index = pruning.before
        }
        tree.checkCheckpoints()
        // Reading and hashing overlap: while this thread reads the next batch of records from the
        // store, a serial queue hashes the last one (on all cores) and folds it into the tree in order.
        let folding = DispatchQueue(label: "custos.audit.verify")
        let inFlight = DispatchSemaphore(value: 2)
        func submit(_ batch: RecordBatch) {
            inFlight.wait()
            folding.async {
                tree.fold(batch)
                inFlight.signal()
            }
        }
        var gap = false
        var batch = RecordBatch()
        var expected = tree.index
        do {
            try snapshot.forEachRecord(from: expected) { recordIndex, bytes, storedLeaf in
                guard recordIndex == expected else {
                    gap = true
                    return false
                }
                expected += 1
                batch.append(bytes, storedLeaf: storedLeaf)
                if batch.count == batchSize {
                    submit(batch)
                    batch = RecordBatch()
                }
                return true
            }
        } catch {
            folding.sync {}
            throw error
        }
        submit(batch)
        folding.sync {}
        if gap || tree.index < end { tree.problem("record \(tree.index) is missing", at: tree.index) }
        if let pruning { try checkRecorded(pruning, in: snapshot, coveredBy: tree.lastGoodCheckpoint, problem: tree.problem) }
        return tree.finished()
    }

    /// A pruning is legitimate only if the log itself says so: an `audit.pruned` record naming the
    /// same first kept record, covered by a verified checkpoint.
    private static func checkRecorded(
        _ pruning: StoredPruning, in snapshot: any AuditSnapshot, coveredBy verifiedSize: UInt64,
        problem: (String, UInt64?) -> Void
    ) throws {
        let stored = try snapshot.records(in: pruning.recordIndex..<pruning.recordIndex + 1).first
        let record = try? stored.map { try AuditRecord(canonicalBytes: $0.bytes) }
        guard let record, record.event == "audit.pruned", record.details["before"] == .integer(Int64(pruning.before)) else {
            problem(
                "records below \(pruning.before) were deleted, but record \(pruning.recordIndex) is not the `audit.pruned` "
                    + "record that would say so", 0)
            return
        }
        guard pruning.recordIndex < verifiedSize else {
            problem("the pruning record \(pruning.recordIndex) is not covered by a verified checkpoint", pruning.recordIndex)
            return
        }
    }

}

/// The tree recomputed so far and what was found, while the records are folded in.
///
/// Used by one thread at a time: the verifying thread before the scan and after it has waited for
/// the folding queue, the folding queue in between.
private final class TreeCheck: @unchecked Sendable {
    var report = LogVerificationReport()
    var range = CompactRange()
    /// Signed checkpoints not reached yet, smallest first.
    var pending: ArraySlice<Checkpoint> = []
    var lastGoodCheckpoint: UInt64 = 0
    /// The number of leaves folded in.
    var index: UInt64 = 0

    func problem(_ text: String, at index: UInt64? = nil) {
        report.problems.append(text)
        if let index, report.firstBadIndex.map({ index < $0 }) ?? true { report.firstBadIndex = index }
    }

    /// Counts `checkpoint` as reproduced.
    func verified(_ checkpoint: Checkpoint) {
        report.checkpointsVerified += 1
        lastGoodCheckpoint = checkpoint.size
    }

    /// Checks every pending checkpoint of a size up to the current tree's.
    func checkCheckpoints() {
        while let next = pending.first, next.size <= index {
            pending.removeFirst()
            if next.size == index, range.root == next.root {
                verified(next)
            } else if next.size == index {
                problem(
                    "the records do not reproduce the checkpoint of size \(index): a record below index "
                        + "\(index) (and at or above \(lastGoodCheckpoint)) was altered, removed or reordered",
                    at: report.firstBadIndex == nil ? lastGoodCheckpoint : nil)
            }
        }
    }

    func fold(_ batch: RecordBatch) {
        let leaves = batch.leafHashes()
        // The tree and the count in locals for the loop: a class's properties are checked for
        // exclusive access at every use, which cost a tenth of a million-record verification.
        var range = self.range
        var index = self.index
        var nextCheckpoint = pending.first?.size ?? .max
        for (position, leaf) in leaves.enumerated() {
            if let stored = batch.storedLeaves[position], stored != leaf {
                problem("record \(index) was altered: its bytes no longer match the leaf hash stored when it was appended", at: index)
            }
            range.appendLeaf(leaf)
            index += 1
            if index >= nextCheckpoint {
                (self.range, self.index) = (range, index)
                checkCheckpoints()
                nextCheckpoint = pending.first?.size ?? .max
            }
        }
        (self.range, self.index) = (range, index)
    }

    /// The report once every record is folded in: the size and root reached, and truncation if a
    /// signed checkpoint lies beyond them.
    func finished() -> LogVerificationReport {
        var report = report
        report.records = index
        report.root = range.root
        if let beyond = pending.first(where: { $0.size > index }) {
            report.problems.append(
                "the log was truncated: a signed checkpoint covers \(beyond.size) records, but only \(index) are present")
            if report.firstBadIndex == nil { report.firstBadIndex = index }
        }
        return report
    }
}

/// Records collected for hashing together: their bytes back to back, with offsets.
struct RecordBatch: Sendable {
    static let defaultCapacity = 16_384
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []
    private(set) var storedLeaves: [TreeHash?] = []

    var count: Int { ends.count }

    mutating func append(_ record: UnsafeRawBufferPointer, storedLeaf: TreeHash?) {
        bytes.append(contentsOf: record)
        ends.append(bytes.count)
        storedLeaves.append(storedLeaf)
    }

    /// The leaf hash of every record, computed in parallel chunks.
    func leafHashes() -> [TreeHash] {
        let chunks = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4
        return Parallel.map(count: count, chunks: chunks) { [bytes, ends] position in
            let start = position == 0 ? 0 : ends[position - 1]
            return bytes.withUnsafeBytes { .leaf(UnsafeRawBufferPointer(rebasing: $0[start..<ends[position]])) }
        }
    }
}


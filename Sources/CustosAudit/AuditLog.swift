import Cedar
public import CustosCore
import Foundation
import Synchronization

/// Where a record landed: its index, its leaf hash and the time the log gave it.
public struct AuditReceipt: Equatable, Sendable {
    public let index: UInt64
    public let leafHash: TreeHash
    public let time: Int64
}

/// The audit log: appends records durably, signs checkpoints and serves proofs.
///
/// Appends are group-committed: whoever finds no write in progress writes every record queued
/// by then in one transaction, and repeats while more arrive, so concurrent appenders share one
/// fsync. An append returns only once its transaction has committed; if the store fails, every
/// append of that batch fails (the caller must deny whatever it was recording) and ``health``
/// reports the failure until a later write succeeds.
public final class AuditLog: Sendable {
    /// The checkpoint origin and key name, e.g. `custos.local/audit`.
    public let origin: String
    public let signer: NoteSigner
    let store: any AuditStore
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    /// An append waiting for its batch: the record already encoded (by the appender, in parallel
    /// with other appenders) for the time it arrived.
    struct Waiter {
        var record: AuditRecord
        var bytes: [UInt8]
        var leaf: TreeHash
        var continuation: CheckedContinuation<AuditReceipt, any Error>
    }

    struct State {
        var range: CompactRange
        var lastTime: Int64
        var queue: [Waiter] = []
        var isWriting = false
        var failure: String?
        var failedAppends: UInt64 = 0
        var failedCheckpoints: UInt64 = 0
    }

    /// The state of the log for health checks and metrics.
    public struct Health: Equatable, Sendable {
        public let size: UInt64
        public let root: TreeHash
        /// The last write failure, while the log cannot write.
        public let failure: String?
        public let failedAppends: UInt64
        /// Checkpoints that could not be signed or stored (a stale checkpoint is what follows).
        public let failedCheckpoints: UInt64
    }

    /// Opens the log over `store`. The latest stored checkpoint must verify with `signer`'s key and
    /// match the stored tree; otherwise the log refuses to open (it has been tampered with, or the
    /// key replaced), and `custos audit verify` says where.
    public static func open(
        store: any AuditStore, signer: NoteSigner,
        now: @escaping @Sendable () -> Int64 = AuditTime.now
    ) async throws(CustosError) -> AuditLog {
        let origin = signer.verifier.name
        let loaded: (CompactRange, Int64, StoredCheckpoint?)
        do {
            loaded = try await store.read { snapshot in
                let size = try snapshot.size()
                let range = try CompactRange(size: size, reader: snapshot)
                let lastTime = try size == 0 ? 0 : AuditRecord(canonicalBytes: snapshot.records(in: size - 1..<size)[0].bytes).time
                let latest = try snapshot.latestCheckpoint()
                if let latest {
                    let checkpoint = try Checkpoint.open(latest.note, verifier: signer.verifier, origin: origin)
                    guard checkpoint.size == latest.size, checkpoint.size <= size,
                        try MerkleTree(reader: snapshot, size: checkpoint.size).root() == checkpoint.root
                    else {
                        throw CustosError.unavailable(
                            "the audit log does not match its last signed checkpoint (size \(latest.size)); "
                                + "run `custos audit verify` to find the first bad record")
                    }
                }
                return (range, lastTime, latest)
            }
        } catch let error as CustosError {
            throw error
        } catch {
            throw .unavailable("cannot open the audit log: \(error)")
        }
        return AuditLog(origin: origin, signer: signer, store: store, range: loaded.0, lastTime: loaded.1, now: now)
    }

    private init(
        origin: String, signer: NoteSigner, store: any AuditStore, range: CompactRange, lastTime: Int64,
        now: @escaping @Sendable () -> Int64
    ) {
        self.origin = origin
        self.signer = signer
        self.store = store
        self.now = now
        state = Mutex(State(range: range, lastTime: lastTime))
    }

    public var health: Health {
        state.withLock {
            Health(
                size: $0.range.size, root: $0.range.root, failure: $0.failure, failedAppends: $0.failedAppends,
                failedCheckpoints: $0.failedCheckpoints)
        }
    }

    /// Appends a record; returns once it is durable. The record's `time` is set by the log.
    public func append(_ record: AuditRecord) async throws(CustosError) -> AuditReceipt {
        var record = record
        record.time = now()
        // Encoded here, so concurrent appenders share the work; an invalid record never joins a batch.
        let bytes = try record.canonicalBytes()
        let leaf = TreeHash.leaf(bytes)
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let leads = state.withLock { state -> Bool in
                    state.queue.append(Waiter(record: record, bytes: bytes, leaf: leaf, continuation: continuation))
                    guard !state.isWriting else { return false }
                    state.isWriting = true
                    return true
                }
                if leads { Task { await self.writeQueued() } }
            }
        } catch let error as CustosError {
            throw error
        } catch {
            throw .unavailable("the audit log cannot write: \(error)")
        }
    }

    /// Writes batches until the queue is empty.
    private func writeQueued() async {
        var previousBatch = 0
        while true {
            await gather(toward: previousBatch)
            let (batch, range, lastTime) = state.withLock { state in
                let batch = state.queue
                state.queue = []
                if batch.isEmpty { state.isWriting = false }
                return (batch, state.range, state.lastTime)
            }
            guard !batch.isEmpty else { return }
            previousBatch = batch.count
            var next = range
            var time = lastTime
            var pending: [PendingRecord] = []
            var nodes: [CompactRange.Node] = []
            var receipts: [Result<AuditReceipt, CustosError>] = []
            pending.reserveCapacity(batch.count)
            for waiter in batch {
                var (record, bytes, leaf) = (waiter.record, waiter.bytes, waiter.leaf)
                // Times never decrease with the index: a record that arrived before the last one
                // written takes that one's time (and is encoded again).
                if record.time < time {
                    record.time = time
                    do {
                        bytes = try record.canonicalBytes()
                    } catch {
                        receipts.append(.failure(error))
                        continue
                    }
                    leaf = TreeHash.leaf(bytes)
                }
                time = record.time
                let index = next.size
                nodes += next.append(leaf)
                pending.append(PendingRecord(index: index, bytes: bytes, record: record, leaf: leaf))
                receipts.append(.success(AuditReceipt(index: index, leafHash: leaf, time: time)))
            }
            do {
                if !pending.isEmpty { try await store.append(pending, nodes: nodes) }
                state.withLock { state in
                    state.range = next
                    state.lastTime = time
                    state.failure = nil
                }
                for (waiter, receipt) in zip(batch, receipts) { waiter.continuation.resume(with: receipt) }
            } catch {
                let failure = "the audit log cannot write: \(error)"
                state.withLock { state in
                    state.failure = failure
                    state.failedAppends += UInt64(pending.count)
                }
                for waiter in batch { waiter.continuation.resume(throwing: CustosError.unavailable(failure)) }
            }
        }
    }

    /// When the last batch was large, the appenders it released are still encoding their next
    /// records as the leader comes back: taking the queue at once would write a few of them and
    /// make the rest wait a whole commit. So the leader lets them run (a bounded number of yields,
    /// about a hundred microseconds here) until about half of the last batch has queued again, or the
    /// queue stops growing. A lone appender never waits: with a previous batch below 8 this returns.
    private func gather(toward previousBatch: Int) async {
        guard previousBatch >= 8 else { return }
        var queued = state.withLock { $0.queue.count }
        for _ in 0..<32 where queued < previousBatch / 2 {
            await Task.yield()
            let now = state.withLock { $0.queue.count }
            if now == queued, now > 0 { return }
            queued = now
        }
    }

    // MARK: Checkpoints and proofs

    /// Signs a checkpoint of the log as it is now, unless the latest one already covers it;
    /// returns the latest signed checkpoint note.
    @discardableResult
    public func checkpoint() async throws(CustosError) -> String {
        // Concurrent calls may sign the same size twice: Ed25519 is deterministic, so the notes are
        // identical and the store keeps one. Every checkpoint is of this log's own tree.
        let (size, root) = state.withLock { ($0.range.size, $0.range.root) }
        if let latest = try await latestCheckpoint(), latest.size >= size { return latest.note }
        let note: String
        do {
            note = try signer.sign(Checkpoint(origin: origin, size: size, root: root).text)
        } catch {
            state.withLock { $0.failedCheckpoints += 1 }
            throw .internalError("cannot sign a checkpoint: \(error)")
        }
        do {
            try await store.save(StoredCheckpoint(size: size, note: note, time: now()))
        } catch {
            state.withLock { $0.failedCheckpoints += 1 }
            throw .unavailable("cannot store a checkpoint: \(error)")
        }
        return try await latestCheckpoint()?.note ?? note
    }

    public func latestCheckpoint() async throws(CustosError) -> StoredCheckpoint? {
        try await read { try $0.latestCheckpoint() }
    }

    /// The inclusion proof of record `index` in the tree of `size` records (default: the whole log).
    public func inclusionProof(index: UInt64, size: UInt64? = nil) async throws(CustosError) -> (size: UInt64, proof: [TreeHash]) {
        let size = try checkedSize(size)
        guard index < size else { throw .notFound("there is no record \(index) in the tree of \(size) records") }
        return (size, try await read { try MerkleTree(reader: $0, size: size).inclusionProof(index: index) })
    }

    /// The consistency proof between the trees of `from` and `to` records.
    public func consistencyProof(from: UInt64, to: UInt64? = nil) async throws(CustosError) -> (size: UInt64, proof: [TreeHash]) {
        let to = try checkedSize(to)
        _ = try checkedSize(from)  // an old size beyond the log is not found, as a new one is
        guard from > 0, from <= to else { throw .invalidRequest("a consistency proof needs 0 < from ≤ to (\(to))") }
        return (to, try await read { try MerkleTree(reader: $0, size: to).consistencyProof(from: from) })
    }

    private func checkedSize(_ size: UInt64?) throws(CustosError) -> UInt64 {
        let current = state.withLock { $0.range.size }
        guard let size else { return current }
        guard size <= current else { throw .notFound("the log has \(current) records, not \(size)") }
        return size
    }

    /// The records in `range`; a range reaching below the latest pruning is refused as not found.
    public func records(in range: Range<UInt64>) async throws(CustosError) -> [StoredRecord] {
        let result: Result<[StoredRecord], CustosError> = try await read { snapshot in
            if let pruning = try snapshot.pruning(), range.lowerBound < pruning.before, !range.isEmpty {
                return .failure(.notFound(
                    "records below \(pruning.before) were pruned by the retention policy (see record \(pruning.recordIndex))"))
            }
            return .success(try snapshot.records(in: range))
        }
        return try result.get()
    }

    /// What runs behind the appends: checkpoints, retention and the search index.
    public struct Maintenance: Equatable, Sendable {
        public let latestCheckpoint: StoredCheckpoint?
        /// The first record kept by retention pruning (0 when nothing was pruned).
        public let prunedBefore: UInt64
        public let searchIndexLag: UInt64
        public let searchIndexFailure: String?
    }

    public func maintenance() async throws(CustosError) -> Maintenance {
        let (checkpoint, pruning) = try await read { (try $0.latestCheckpoint(), try $0.pruning()) }
        let index: SearchIndexState
        do {
            index = try await store.searchIndexState()
        } catch {
            throw .unavailable("cannot read the audit search index: \(error)")
        }
        return Maintenance(
            latestCheckpoint: checkpoint, prunedBefore: pruning?.before ?? 0, searchIndexLag: index.lag,
            searchIndexFailure: index.failure)
    }

    // MARK: Retention

    /// Prunes the records stamped before `cutoff` (microseconds since the epoch), keeping the tree.
    ///
    /// The log first signs a checkpoint that covers them, appends an `audit.pruned` record naming
    /// the first record kept, and signs a checkpoint covering that record; only then are the records
    /// deleted, with their perfect-subtree hashes and every checkpoint kept. The tree therefore stays
    /// verifiable from the kept records, the stored hashes of the pruned part and the signed roots,
    /// and a pruning that the log does not record is reported by `custos audit verify`. Returns the new
    /// first kept index, or nil when there was nothing to prune.
    @discardableResult
    public func prune(before cutoff: Int64) async throws(CustosError) -> UInt64? {
        let (first, previous) = try await read { (try $0.firstIndex(atOrAfter: cutoff), try $0.pruning()) }
        guard first > (previous?.before ?? 0) else { return nil }
        try await checkpoint()
        var record = AuditRecord(kind: .event, event: "audit.pruned")
        record.authorizedBy = "custos"
        record.details = [
            "before": .integer(Int64(first)), "cutoff": .string(AuditTime.format(microseconds: cutoff)),
        ]
        let receipt = try await append(record)
        try await checkpoint()
        do {
            try await store.prune(StoredPruning(before: first, recordIndex: receipt.index))
        } catch {
            throw .unavailable("cannot prune the audit log: \(error)")
        }
        return first
    }

    public func search(_ query: AuditQuery) async throws(CustosError) -> [StoredRecord] {
        try await read { try $0.search(query) }
    }

    /// Reads from one snapshot, mapping store failures to ``CustosError``.
    func read<T: Sendable>(_ body: @escaping @Sendable (any AuditSnapshot) throws -> T) async throws(CustosError) -> T {
        do {
            return try await store.read(body)
        } catch let error as CustosError {
            throw error
        } catch {
            throw .unavailable("cannot read the audit log: \(error)")
        }
    }
}

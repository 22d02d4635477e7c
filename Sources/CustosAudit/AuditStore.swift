/// A record as stored: its position in the log and its canonical bytes.
public struct StoredRecord: Equatable, Sendable {
    public let index: UInt64
    public let bytes: [UInt8]

    public init(index: UInt64, bytes: [UInt8]) {
        self.index = index
        self.bytes = bytes
    }
}

/// A record about to be appended: its index, canonical bytes, and the record for the search columns.
public struct PendingRecord: Sendable {
    public let index: UInt64
    public let bytes: [UInt8]
    public let record: AuditRecord
    /// `SHA-256(0x00 ‖ bytes)`.
    public let leaf: TreeHash
}

/// A signed checkpoint as stored.
public struct StoredCheckpoint: Equatable, Sendable {
    public let size: UInt64
    public let note: String
    /// When it was signed, in microseconds since the epoch.
    public let time: Int64

    public init(size: UInt64, note: String, time: Int64) {
        self.size = size
        self.note = note
        self.time = time
    }
}

/// A retention pruning as stored: the records below `before` are gone (their tree nodes stay), and
/// the `audit.pruned` record at `recordIndex` says so inside the log.
public struct StoredPruning: Equatable, Sendable {
    public let before: UInt64
    public let recordIndex: UInt64

    public init(before: UInt64, recordIndex: UInt64) {
        self.before = before
        self.recordIndex = recordIndex
    }
}

/// How far a store's search index is behind: records appended but not yet indexed (searches scan
/// them), and the indexer's last failure while it lasts.
public struct SearchIndexState: Equatable, Sendable {
    public let lag: UInt64
    public let failure: String?

    public init(lag: UInt64, failure: String?) {
        self.lag = lag
        self.failure = failure
    }
}

/// What to look for in the log. Every condition given must hold; results come in index order,
/// starting after `after`.
public struct AuditQuery: Equatable, Sendable {
    public var from: Int64?
    public var until: Int64?
    public var kind: AuditRecord.Kind?
    public var event: String?
    public var agent: String?
    public var sponsor: String?
    public var user: String?
    public var action: String?
    public var decision: AuditRecord.Decision?
    public var session: String?
    /// Only records with an index greater than this (the paging cursor).
    public var after: UInt64?
    public var limit: Int = 100

    public static let maximumLimit = 1000

    public init() {}
}

/// A consistent read-only view of the stored log.
public protocol AuditSnapshot: PerfectSubtreeReader {
    /// The number of records.
    func size() throws -> UInt64
    func records(in range: Range<UInt64>) throws -> [StoredRecord]
    /// Streams every record from index `start` on in index order with the leaf hash stored when it
    /// was appended (nil when missing), without copying the bytes; `body` returns false to stop.
    func forEachRecord(
        from start: UInt64, _ body: (_ index: UInt64, _ bytes: UnsafeRawBufferPointer, _ storedLeaf: TreeHash?) throws -> Bool
    ) throws
    /// The index of the first record stamped at or after `time` (microseconds), or the size.
    func firstIndex(atOrAfter time: Int64) throws -> UInt64
    /// The latest pruning, if records were ever pruned.
    func pruning() throws -> StoredPruning?
    func search(_ query: AuditQuery) throws -> [StoredRecord]
    /// Signed checkpoints, smallest size first.
    func checkpoints() throws -> [StoredCheckpoint]
    /// The checkpoint of the largest size, without reading the others.
    func latestCheckpoint() throws -> StoredCheckpoint?
}

/// Append-only persistence of the audit log: records, the Merkle tree's perfect-subtree hashes and
/// signed checkpoints. Implementations make an append durable before returning and never update
/// or delete what they stored, except the records a retention pruning removes.
public protocol AuditStore: Sendable {
    /// Runs `body` on one consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any AuditSnapshot) throws -> T) async throws -> T
    /// Appends records and the tree nodes they complete in one durable transaction. A store may keep
    /// only some levels of nodes and compute the others from the leaves when they are read.
    func append(_ records: [PendingRecord], nodes: [CompactRange.Node]) async throws
    /// Stores a checkpoint; a checkpoint of the same size already stored is left as it is.
    func save(_ checkpoint: StoredCheckpoint) async throws
    /// How far the store's search index is behind the log, and its last failure.
    func searchIndexState() async throws -> SearchIndexState
    /// Deletes the records below `pruning.before` and records the pruning, in one transaction; the
    /// tree nodes and checkpoints stay. Prunings only move forward.
    func prune(_ pruning: StoredPruning) async throws
}

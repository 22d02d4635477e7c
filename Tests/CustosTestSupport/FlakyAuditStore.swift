public import CustosAudit
public import CustosStore
import Synchronization

/// The real SQLite audit store, with writes that fail while `failing` is set: what a full disk or an
/// I/O error looks like to the log.
public final class FlakyAuditStore: AuditStore {
    public let base: SQLiteAuditStore
    private let failing = Mutex(false)

    public struct WriteFailed: Error {}

    public init(_ base: SQLiteAuditStore) { self.base = base }

    /// While true, every write fails.
    public func failWrites(_ fail: Bool) { failing.withLock { $0 = fail } }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any AuditSnapshot) throws -> T) async throws -> T {
        try await base.read(body)
    }

    public func append(_ records: [PendingRecord], nodes: [CompactRange.Node]) async throws {
        if failing.withLock({ $0 }) { throw WriteFailed() }
        try await base.append(records, nodes: nodes)
    }

    public func save(_ checkpoint: StoredCheckpoint) async throws {
        if failing.withLock({ $0 }) { throw WriteFailed() }
        try await base.save(checkpoint)
    }

    public func searchIndexState() async throws -> SearchIndexState { try await base.searchIndexState() }

    public func prune(_ pruning: StoredPruning) async throws {
        if failing.withLock({ $0 }) { throw WriteFailed() }
        try await base.prune(pruning)
    }
}

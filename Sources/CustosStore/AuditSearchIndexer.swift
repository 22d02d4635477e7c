import CustosAudit
import Foundation
import GRDB
import Synchronization

/// Keeps the audit log's search index (`audit_search`) behind the appends, in a database file of its
/// own (`audit-search.sqlite` beside `audit.sqlite`).
///
/// An append's transaction holds only the record and its tree nodes; maintaining B-tree indexes on
/// random keys there would dirty many pages per record and halve the durable append rate. Instead
/// this indexer wakes shortly after appends and writes the search keys of every record not yet
/// indexed in one transaction, sorted, so that each index page is written once per batch. The index
/// lives in its own file and is written through a connection of its own, in deferred transactions
/// that lock only that file: indexing never holds the log's write lock, so appends never wait for
/// it (in the same file they did, and lost about a quarter of their rate). The index is derived
/// data: it can always be rebuilt from the records. How far it got is stored with the keys
/// (`audit_search_state.indexed`), in the same transaction, so a crash loses nothing: the next run
/// starts where the last committed one ended. Searches read the indexed part through the index and
/// the tail by scan, so a result never depends on the indexer's progress.
final class AuditSearchIndexer: Sendable {
    /// The indexed record fields.
    enum Field: Int, CaseIterable {
        case agent = 1, user = 2, session = 3, sponsor = 4

        var column: String {
            switch self {
            case .agent: "agent"
            case .user: "authorized_by"
            case .session: "session"
            case .sponsor: "sponsor"
            }
        }

        /// The most selective indexed condition of a query, if it has one.
        static func key(for query: AuditQuery) -> (field: Field, value: String)? {
            if let session = query.session { return (.session, session) }
            if let agent = query.agent { return (.agent, agent) }
            if let user = query.user { return (.user, user) }
            if let sponsor = query.sponsor { return (.sponsor, sponsor) }
            return nil
        }
    }

    /// Records indexed per transaction at most.
    static let batchLimit = 16_384
    /// How long the indexer waits after an append before indexing, to gather a large batch.
    static let delay = Duration.milliseconds(100)

    /// Main database: the audit log (read); `search`: the index (written).
    private let connection: DatabaseQueue
    private let failureText = Mutex<String?>(nil)
    private let runner = TrailingRunner(delay: delay)

    /// Opens the index at `searchPath` (creating it) for the audit log at `auditPath`, whose tables exist.
    init(auditPath: String, searchPath: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try Self.attach(searchPath, to: db) }
        let connection = try DatabaseQueue(path: auditPath, configuration: configuration)
        self.connection = connection
        try connection.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA search.journal_mode = WAL")
            try db.execute(sql: "PRAGMA search.synchronous = NORMAL")  // derived data: a lost tail is indexed again
            try Self.createTables(db)
        }
    }

    /// The search index's file beside the audit log's.
    static func searchPath(forAuditPath path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().path + "-search.sqlite"
    }

    /// Attaches the index as `search`.
    static func attach(_ searchPath: String, to db: Database) throws {
        try db.execute(sql: "ATTACH DATABASE ? AS search", arguments: [searchPath])
    }

    /// The last indexing failure, until a later run succeeds.
    var failure: String? { failureText.withLock { $0 } }

    /// The index's tables in `search`, unless they exist. `pruned`: the pruning whose records'
    /// keys have been deleted.
    static func createTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS search.audit_search (
                    field INTEGER NOT NULL, value TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (field, value, idx)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS search.audit_search_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1), indexed INTEGER NOT NULL, pruned INTEGER NOT NULL
                );
                INSERT OR IGNORE INTO search.audit_search_state (id, indexed, pruned) VALUES (1, 0, 0);
                """)
    }

    /// The number of records indexed: every record below this index is in `audit_search`.
    static func indexed(_ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT indexed FROM search.audit_search_state WHERE id = 1") ?? 0)
    }

    /// Called after every committed append: indexes what is new a little later.
    func recordsAppended() { runner.request { [weak self] in await self?.indexNew() ?? false } }

    /// Indexes until nothing is left; false after a failure (searches meanwhile scan a longer tail).
    private func indexNew() async -> Bool {
        do {
            while try await indexBatch() == Self.batchLimit {}
            failureText.withLock { $0 = nil }
            return true
        } catch {
            failureText.withLock { $0 = "the audit search index cannot be written: \(error)" }
            return false
        }
    }

    /// Indexes up to ``batchLimit`` records after the last indexed one in one transaction, and drops the
    /// keys of pruned records; returns how many records it indexed.
    @discardableResult
    func indexBatch() async throws -> Int {
        // DEFERRED: the transaction takes the index's write lock when it writes, never the log's.
        try await connection.writeWithoutTransaction { db in
            var count = 0
            try db.inTransaction(.deferred) {
                count = try Self.indexBatch(db)
                return .commit
            }
            return count
        }
    }

    private static func indexBatch(_ db: Database) throws -> Int {
        let before = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(before), 0) FROM audit_pruning") ?? 0
        if try Int64.fetchOne(db, sql: "SELECT pruned FROM search.audit_search_state WHERE id = 1") ?? 0 < before {
            try db.execute(sql: "DELETE FROM search.audit_search WHERE idx < ?", arguments: [before])
            try db.execute(sql: "UPDATE search.audit_search_state SET pruned = ? WHERE id = 1", arguments: [before])
        }
        let first = try indexed(db)
        let columns = Field.allCases.map(\.column).joined(separator: ", ")
        let rows = try Row.fetchAll(
            db, sql: "SELECT idx, \(columns) FROM audit_record WHERE idx >= ? ORDER BY idx LIMIT \(batchLimit)",
            arguments: [Int64(first)])
        guard let last = rows.last else { return 0 }
        var keys: [(field: Int, value: String, index: Int64)] = []
        keys.reserveCapacity(rows.count * Field.allCases.count)
        for row in rows {
            let index: Int64 = row[0]
            for (position, field) in Field.allCases.enumerated() {
                if let value: String = row[position + 1] { keys.append((field.rawValue, value, index)) }
            }
        }
        keys.sort { ($0.field, $0.value, $0.index) < ($1.field, $1.value, $1.index) }
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO search.audit_search (field, value, idx) VALUES (?, ?, ?)")
        for key in keys { try insert.execute(arguments: [key.field, key.value, key.index]) }
        try db.execute(sql: "UPDATE search.audit_search_state SET indexed = ? WHERE id = 1", arguments: [(last[0] as Int64) + 1])
        return rows.count
    }
}

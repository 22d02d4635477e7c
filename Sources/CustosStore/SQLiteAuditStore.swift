public import CustosAudit
public import CustosCore
import Foundation
import GRDB

/// The audit log in its own SQLite file (`audit.sqlite`), apart from the registry so that its
/// writes never wait on other tables. Commits are durable (`synchronous = FULL` in WAL mode), and
/// triggers refuse every UPDATE and DELETE: the tables only grow.
public final class SQLiteAuditStore: AuditStore {
    let writer: any DatabaseWriter
    /// Keeps the search index behind the appends (nil when reading only).
    let indexer: AuditSearchIndexer?
    /// Checkpoints the write-ahead log behind the appends (nil when reading only).
    let checkpointer: WALCheckpointer?
    /// Whether readers have the search index attached (reading only, it may not exist: searches scan).
    let searchable: Bool

    /// Opens (creating if needed) the audit database at `path`.
    public init(path: String) throws(CustosError) {
        do {
            let searchPath = AuditSearchIndexer.searchPath(forAuditPath: path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                // Readers see the search index; the writer does not attach it, so that an append's
                // IMMEDIATE transaction never locks it (and never waits for the indexer).
                if db.configuration.readonly { try AuditSearchIndexer.attach(searchPath, to: db) }
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB chooses NORMAL for WAL mode; an acknowledged append must survive power loss.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = -65536")  // 64 MiB: the indexes of a large log stay in memory
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerFallbackPages)")
            }
            writer = pool
            try Self.migrator.migrate(pool)
            // Before the first read: readers attach the index's file, which this creates.
            let indexer = try AuditSearchIndexer(auditPath: path, searchPath: searchPath)
            self.indexer = indexer
            checkpointer = try WALCheckpointer(path: path)
            searchable = true
            // Records the index has not reached (a log from before it moved to its own file) are indexed now.
            indexer.recordsAppended()
        } catch {
            throw .unavailable("cannot open the audit database at \(path): \(error)")
        }
    }

    /// Opens an existing audit database for reading only (for `custos audit verify`); works beside a
    /// running server.
    public init(readingOnly path: String) throws(CustosError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound("there is no audit database at \(path)") }
        do {
            let searchPath = AuditSearchIndexer.searchPath(forAuditPath: path)
            let searchable = FileManager.default.fileExists(atPath: searchPath)
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                if searchable { try AuditSearchIndexer.attach(searchPath, to: db) }
            }
            writer = try DatabaseQueue(path: path, configuration: configuration)
            indexer = nil
            checkpointer = nil
            self.searchable = searchable
        } catch {
            throw .unavailable("cannot open the audit database at \(path): \(error)")
        }
    }

    /// The `PRAGMA synchronous` level of the writing connection (2 is FULL).
    public func synchronousLevel() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-audit") { db in
            try db.create(table: "audit_record") { t in
                t.primaryKey("idx", .integer)
                t.column("record", .blob).notNull()
                t.column("time", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("event", .text)
                t.column("agent", .text)
                t.column("sponsor", .text)
                t.column("authorized_by", .text)
                t.column("action", .text)
                t.column("decision", .text)
                t.column("session", .text)
            }
            // Indexes for the selective filters only: each one costs every append. Filters on sponsor,
            // action, event, kind and decision scan in index order and stop at the page limit.
            for column in ["time", "agent", "authorized_by", "session"] {
                try db.create(index: "audit_record_\(column)", on: "audit_record", columns: [column])
            }
            try db.create(table: "audit_node", options: [.withoutRowID]) { t in
                t.column("level", .integer).notNull()
                t.column("idx", .integer).notNull()
                t.column("hash", .blob).notNull()
                t.primaryKey(["level", "idx"])
            }
            try db.create(table: "audit_checkpoint") { t in
                t.primaryKey("size", .integer)
                t.column("note", .text).notNull()
                t.column("time", .integer).notNull()
            }
            for table in ["audit_record", "audit_node", "audit_checkpoint"] {
                for operation in ["UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
                            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                            """)
                }
            }
        }
        migrator.registerMigration("v2-audit-search") { db in
            // Search keys move out of the append's transaction: the indexer writes them in large sorted
            // batches behind it, and searches read the not-yet-indexed tail by scan.
            for column in ["agent", "authorized_by", "session"] { try db.execute(sql: "DROP INDEX audit_record_\(column)") }
            try db.execute(
                sql: """
                    CREATE TABLE audit_search (
                        field INTEGER NOT NULL, value TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (field, value, idx)
                    ) WITHOUT ROWID;
                    CREATE TABLE audit_search_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed INTEGER NOT NULL);
                    INSERT INTO audit_search_state (id, indexed) VALUES (1, 0);
                    """)
        }
        migrator.registerMigration("v3-audit-retention") { db in
            // Records below the latest pruning's `before` may be deleted, no others; prunings only grow.
            try db.create(table: "audit_pruning") { t in
                t.primaryKey("before", .integer)
                t.column("record_idx", .integer).notNull()
                t.column("time", .integer).notNull()
            }
            try db.execute(
                sql: """
                    DROP TRIGGER audit_record_no_delete;
                    CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_record
                    WHEN OLD.idx >= (SELECT COALESCE(MAX(before), 0) FROM audit_pruning)
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_pruning_forward BEFORE INSERT ON audit_pruning
                    WHEN NEW.before <= (SELECT COALESCE(MAX(before), 0) FROM audit_pruning) OR NEW.record_idx < NEW.before
                    BEGIN SELECT RAISE(ABORT, 'a pruning only moves forward, and its record stays'); END;
                    CREATE TRIGGER audit_pruning_no_update BEFORE UPDATE ON audit_pruning
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_pruning_no_delete BEFORE DELETE ON audit_pruning
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v4-audit-tree") { db in
            // Inner nodes keyed by the last leaf they cover: the nodes a batch completes are then
            // neighbours in one or two pages, instead of one page per tree level. Leaf hashes stay in
            // `audit_node` (level 0), appended in order.
            try db.execute(
                sql: """
                    CREATE TABLE audit_tree (
                        last INTEGER NOT NULL, level INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (last, level)
                    ) WITHOUT ROWID;
                    INSERT INTO audit_tree (last, level, hash) SELECT ((idx + 1) << level) - 1, level, hash FROM audit_node WHERE level > 0;
                    DROP TRIGGER audit_node_no_delete;
                    DELETE FROM audit_node WHERE level > 0;
                    CREATE TRIGGER audit_node_no_delete BEFORE DELETE ON audit_node
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_tree_no_update BEFORE UPDATE ON audit_tree
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    CREATE TRIGGER audit_tree_no_delete BEFORE DELETE ON audit_tree
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v5-audit-search-apart") { db in
            // The search index moves to its own file (AuditSearchIndexer), which indexes the log anew.
            try db.execute(sql: "DROP TABLE audit_search; DROP TABLE audit_search_state")
        }
        migrator.registerMigration("v6-audit-leaf-in-record") { db in
            // New records carry their leaf hash in their own row (one row less per append), and only
            // subtrees of ``lowestStoredLevel`` and up are stored; smaller ones are computed from the
            // leaves. Rows written before keep their leaves and nodes where they are; pruned records'
            // leaves move to audit_node.
            try db.execute(sql: "ALTER TABLE audit_record ADD COLUMN leaf BLOB")
        }
        return migrator
    }

    /// Subtrees below this level (up to 8 leaves) are not stored but computed from the leaves: a proof
    /// reads at most 15 more leaf hashes, and an append writes about 1/16 of a node row per record
    /// instead of one. Pruning keeps the leaves, so these stay computable in the pruned part too.
    static let lowestStoredLevel = 4

    /// The key of an inner node in `audit_tree`: the index of the last leaf it covers (nil beyond any tree).
    static func lastLeaf(level: Int, index: UInt64) -> Int64? {
        guard level < 63, index < (UInt64(Int64.max) >> level) else { return nil }
        return Int64(((index + 1) << level) - 1)
    }

    /// Records appended but not yet in the search index, and the indexer's last failure.
    public func searchIndexState() async throws -> SearchIndexState {
        let searchable = searchable
        let (indexed, size) = try await writer.read { db in
            (searchable ? try AuditSearchIndexer.indexed(db) : 0, try Snapshot(db: db, searchable: searchable).size())
        }
        return SearchIndexState(lag: size > indexed ? size - indexed : 0, failure: indexer?.failure)
    }

    /// Indexes every record appended so far (tests and benchmarks; the server lets the indexer run).
    public func indexAll() async throws {
        guard let indexer else { return }
        while try await indexer.indexBatch() > 0 {}
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any AuditSnapshot) throws -> T) async throws -> T {
        let searchable = searchable
        return try await writer.read { db in try body(Snapshot(db: db, searchable: searchable)) }
    }

    public func append(_ records: [PendingRecord], nodes: [CompactRange.Node]) async throws {
        try await writer.write { db in
            let insertRecord = try db.cachedStatement(
                sql: """
                    INSERT INTO audit_record (idx, record, leaf, time, kind, event, agent, sponsor, authorized_by, action, decision, session)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for pending in records {
                let r = pending.record
                try insertRecord.execute(arguments: [
                    Int64(pending.index), Data(pending.bytes), Data(pending.leaf.bytes), r.time, r.kind.rawValue, r.event,
                    r.agent, r.sponsor, r.authorizedBy, r.action, r.decision?.rawValue, r.session,
                ])
            }
            let insertNode = try db.cachedStatement(sql: "INSERT INTO audit_tree (last, level, hash) VALUES (?, ?, ?)")
            for node in nodes where node.level >= Self.lowestStoredLevel {
                if let last = Self.lastLeaf(level: node.level, index: node.index) {
                    try insertNode.execute(arguments: [last, node.level, Data(node.hash.bytes)])
                }
            }
        }
        indexer?.recordsAppended()
        checkpointer?.appended()
    }

    public func save(_ checkpoint: StoredCheckpoint) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO audit_checkpoint (size, note, time) VALUES (?, ?, ?)",
                arguments: [Int64(checkpoint.size), checkpoint.note, checkpoint.time])
        }
    }

    public func prune(_ pruning: StoredPruning) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO audit_pruning (before, record_idx, time) VALUES (?, ?, ?)",
                arguments: [Int64(pruning.before), Int64(pruning.recordIndex), AuditTime.now()])
            // The pruned records' leaf hashes stay (in audit_node, as before v6), so that every subtree of
            // the pruned part, and the root of every checkpoint in it, can still be computed.
            try db.execute(
                sql: "INSERT INTO audit_node (level, idx, hash) SELECT 0, idx, leaf FROM audit_record WHERE idx < ? AND leaf IS NOT NULL",
                arguments: [Int64(pruning.before)])
            try db.execute(sql: "DELETE FROM audit_record WHERE idx < ?", arguments: [Int64(pruning.before)])
        }
    }

    /// Reads within one transaction.
    struct Snapshot: AuditSnapshot {
        let db: Database
        /// Whether `search` (the index) is attached.
        let searchable: Bool

        struct MissingNode: Error, CustomStringConvertible {
            let level: Int
            let index: UInt64
            var description: String { "the tree node at level \(level), index \(index) is missing" }
        }

        func hash(level: Int, index: UInt64) throws -> TreeHash {
            var bytes: Data?
            if level == 0 {
                // In the record's row; rows from before v6, and pruned records, keep theirs in audit_node.
                let statement = try db.cachedStatement(sql: "SELECT leaf FROM audit_record WHERE idx = ?")
                bytes = try Data.fetchOne(statement, arguments: [Int64(clamping: index)])
                if bytes == nil {
                    let old = try db.cachedStatement(sql: "SELECT hash FROM audit_node WHERE level = 0 AND idx = ?")
                    bytes = try Data.fetchOne(old, arguments: [Int64(clamping: index)])
                }
            } else if let last = SQLiteAuditStore.lastLeaf(level: level, index: index) {
                let statement = try db.cachedStatement(sql: "SELECT hash FROM audit_tree WHERE last = ? AND level = ?")
                bytes = try Data.fetchOne(statement, arguments: [last, level])
                if bytes == nil, level < SQLiteAuditStore.lowestStoredLevel {
                    return TreeHash.node(try hash(level: level - 1, index: 2 * index), try hash(level: level - 1, index: 2 * index + 1))
                }
            }
            guard let hash = bytes?.withUnsafeBytes({ TreeHash(raw: $0) }) else { throw MissingNode(level: level, index: index) }
            return hash
        }

        func size() throws -> UInt64 {
            UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_record") ?? 0)
        }

        func records(in range: Range<UInt64>) throws -> [StoredRecord] {
            let rows = try Row.fetchAll(
                db, sql: "SELECT idx, record FROM audit_record WHERE idx >= ? AND idx < ? ORDER BY idx",
                arguments: [Int64(clamping: range.lowerBound), Int64(clamping: range.upperBound)])
            return rows.map(Self.record)
        }

        func forEachRecord(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer, TreeHash?) throws -> Bool) throws {
            // Two sequential scans merged by index: cheaper than a join's lookup per record.
            let start = Int64(clamping: start)
            // Leaves written before v6 are in audit_node; later ones in the record's row.
            let records = try Row.fetchCursor(
                db, sql: "SELECT idx, record, leaf FROM audit_record WHERE idx >= ? ORDER BY idx", arguments: [start])
            let leaves = try Row.fetchCursor(
                db, sql: "SELECT idx, hash FROM audit_node WHERE level = 0 AND idx >= ? ORDER BY idx", arguments: [start])
            var leaf: (index: Int64, hash: TreeHash?)? = try Self.leaf(leaves.next())
            while let row = try records.next() {
                let index: Int64 = row[0]
                var stored = try row.withUnsafeData(atIndex: 2) { data in data?.withUnsafeBytes { TreeHash(raw: $0) } }
                if stored == nil {
                    while let current = leaf, current.index < index { leaf = try Self.leaf(leaves.next()) }
                    stored = leaf.flatMap { $0.index == index ? $0.hash : nil }
                }
                let proceed = try row.withUnsafeData(atIndex: 1) { data in
                    try (data ?? Data()).withUnsafeBytes { try body(UInt64(index), $0, stored) }
                }
                guard proceed else { return }
            }
        }

        private static func leaf(_ row: Row?) throws -> (index: Int64, hash: TreeHash?)? {
            guard let row else { return nil }
            return (row[0], try row.withUnsafeData(atIndex: 1) { data in data?.withUnsafeBytes { TreeHash(raw: $0) } })
        }

        func search(_ query: AuditQuery) throws -> [StoredRecord] {
            let limit = max(1, min(query.limit, AuditQuery.maximumLimit))
            let after = query.after.map { Int64(clamping: $0) } ?? -1
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            func add(_ sql: String, _ value: (any DatabaseValueConvertible)?) {
                guard let value else { return }
                conditions.append("r." + sql)
                arguments.append(value)
            }
            add("time >= ?", query.from)
            add("time < ?", query.until)
            add("kind = ?", query.kind?.rawValue)
            add("event = ?", query.event)
            add("agent = ?", query.agent)
            add("sponsor = ?", query.sponsor)
            add("authorized_by = ?", query.user)
            add("action = ?", query.action)
            add("decision = ?", query.decision?.rawValue)
            add("session = ?", query.session)
            let filter = conditions.map { " AND " + $0 }.joined()
            func fetch(_ sql: String, _ leading: [any DatabaseValueConvertible], limit: Int) throws -> [StoredRecord] {
                try Row.fetchAll(db, sql: sql + filter + " ORDER BY r.idx LIMIT \(limit)", arguments: StatementArguments(leading + arguments))
                    .map(Self.record)
            }
            guard searchable, let key = AuditSearchIndexer.Field.key(for: query) else {
                return try fetch("SELECT r.idx, r.record FROM audit_record r WHERE r.idx > ?", [after], limit: limit)
            }
            // The indexed part through the index, then the tail the indexer has not reached by scan. The
            // index is read first: the log's snapshot, taken at its first read below, is then at least as
            // new as what the indexer had read, so every indexed record is in it.
            let indexed = try AuditSearchIndexer.indexed(db)
            var found = try fetch(
                """
                SELECT r.idx, r.record FROM audit_search s JOIN audit_record r ON r.idx = s.idx
                WHERE s.field = ? AND s.value = ? AND s.idx > ? AND s.idx < ?
                """, [key.field.rawValue, key.value, after, Int64(indexed)], limit: limit)
            if found.count < limit {
                found += try fetch(
                    "SELECT r.idx, r.record FROM audit_record r WHERE r.idx > ?", [max(after, Int64(indexed) - 1)],
                    limit: limit - found.count)
            }
            return found
        }

        func firstIndex(atOrAfter time: Int64) throws -> UInt64 {
            // Times never decrease with the index, so the time index finds it without a scan.
            let sql = "SELECT idx FROM audit_record WHERE time >= ? ORDER BY time, idx LIMIT 1"
            if let index = try Int64.fetchOne(db, sql: sql, arguments: [time]) {
                return UInt64(index)
            }
            return try size()
        }

        func pruning() throws -> StoredPruning? {
            try Row.fetchOne(db, sql: "SELECT before, record_idx FROM audit_pruning ORDER BY before DESC LIMIT 1").map {
                StoredPruning(before: UInt64($0[0] as Int64), recordIndex: UInt64($0[1] as Int64))
            }
        }

        func checkpoints() throws -> [StoredCheckpoint] {
            try Row.fetchAll(db, sql: "SELECT size, note, time FROM audit_checkpoint ORDER BY size").map(Self.checkpoint)
        }

        func latestCheckpoint() throws -> StoredCheckpoint? {
            try Row.fetchOne(db, sql: "SELECT size, note, time FROM audit_checkpoint ORDER BY size DESC LIMIT 1").map(Self.checkpoint)
        }

        private static func checkpoint(_ row: Row) -> StoredCheckpoint {
            StoredCheckpoint(size: UInt64(row["size"] as Int64), note: row["note"], time: row["time"])
        }

        /// A row of `idx, record`.
        private static func record(_ row: Row) -> StoredRecord {
            StoredRecord(index: UInt64(row[0] as Int64), bytes: Array(row[1] as Data))
        }
    }
}

public import CustosAudit
public import CustosCore
import Foundation
import GRDB

/// The audit log in its own SQLite file (`audit.sqlite`), apart from the registry so that its
/// writes never wait on other tables. Commits are durable (`synchronous = FULL` in WAL mode), and
/// triggers refuse every UPDATE and DELETE: the tables only grow.
public final class SQLiteAuditStore: AuditStore {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the audit database at `path`.
    public init(path: String) throws(CustosError) {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB chooses NORMAL for WAL mode; an acknowledged append must survive power loss.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA cache_size = -65536")  // 64 MiB: the indexes of a large log stay in memory
            }
            writer = pool
            try Self.migrator.migrate(pool)
        } catch {
            throw .unavailable("cannot open the audit database at \(path): \(error)")
        }
    }

    /// Opens an existing audit database for reading only (for `custos audit verify`); works beside a
    /// running server.
    public init(readingOnly path: String) throws(CustosError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound("there is no audit database at \(path)") }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(5)
            writer = try DatabaseQueue(path: path, configuration: configuration)
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
        return migrator
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any AuditSnapshot) throws -> T) async throws -> T {
        try await writer.read { db in try body(Snapshot(db: db)) }
    }

    public func append(_ records: [PendingRecord], nodes: [CompactRange.Node]) async throws {
        try await writer.write { db in
            let insertRecord = try db.cachedStatement(
                sql: """
                    INSERT INTO audit_record (idx, record, time, kind, event, agent, sponsor, authorized_by, action, decision, session)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for pending in records {
                let r = pending.record
                try insertRecord.execute(arguments: [
                    Int64(pending.index), Data(pending.bytes), r.time, r.kind.rawValue, r.event, r.agent, r.sponsor,
                    r.authorizedBy, r.action, r.decision?.rawValue, r.session,
                ])
            }
            let insertNode = try db.cachedStatement(sql: "INSERT INTO audit_node (level, idx, hash) VALUES (?, ?, ?)")
            for node in nodes { try insertNode.execute(arguments: [node.level, Int64(node.index), Data(node.hash.bytes)]) }
        }
    }

    public func save(_ checkpoint: StoredCheckpoint) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO audit_checkpoint (size, note, time) VALUES (?, ?, ?)",
                arguments: [Int64(checkpoint.size), checkpoint.note, checkpoint.time])
        }
    }

    /// Reads within one transaction.
    struct Snapshot: AuditSnapshot {
        let db: Database

        struct MissingNode: Error, CustomStringConvertible {
            let level: Int
            let index: UInt64
            var description: String { "the tree node at level \(level), index \(index) is missing" }
        }

        func hash(level: Int, index: UInt64) throws -> TreeHash {
            let statement = try db.cachedStatement(sql: "SELECT hash FROM audit_node WHERE level = ? AND idx = ?")
            guard let bytes = try Data.fetchOne(statement, arguments: [level, Int64(index)]),
                let hash = bytes.withUnsafeBytes({ TreeHash(raw: $0) })
            else { throw MissingNode(level: level, index: index) }
            return hash
        }

        func size() throws -> UInt64 {
            UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_record") ?? 0)
        }

        func records(in range: Range<UInt64>) throws -> [StoredRecord] {
            let rows = try Row.fetchAll(
                db, sql: "SELECT idx, record FROM audit_record WHERE idx >= ? AND idx < ? ORDER BY idx",
                arguments: [Int64(clamping: range.lowerBound), Int64(clamping: range.upperBound)])
            return rows.map { StoredRecord(index: UInt64($0["idx"] as Int64), bytes: Array($0["record"] as Data)) }
        }

        func forEachRecord(_ body: (UInt64, UnsafeRawBufferPointer, TreeHash?) throws -> Bool) throws {
            // Two sequential scans merged by index: cheaper than a join's lookup per record.
            let records = try Row.fetchCursor(db, sql: "SELECT idx, record FROM audit_record ORDER BY idx")
            let leaves = try Row.fetchCursor(db, sql: "SELECT idx, hash FROM audit_node WHERE level = 0 ORDER BY idx")
            var leaf: (index: Int64, hash: TreeHash?)? = try Self.leaf(leaves.next())
            while let row = try records.next() {
                let index: Int64 = row[0]
                while let current = leaf, current.index < index { leaf = try Self.leaf(leaves.next()) }
                let stored = leaf.flatMap { $0.index == index ? $0.hash : nil }
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
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            func add(_ sql: String, _ value: (any DatabaseValueConvertible)?) {
                guard let value else { return }
                conditions.append(sql)
                arguments.append(value)
            }
            add("idx > ?", query.after.map { Int64(clamping: $0) })
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
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let limit = max(1, min(query.limit, AuditQuery.maximumLimit))
            let rows = try Row.fetchAll(
                db, sql: "SELECT idx, record FROM audit_record \(filter) ORDER BY idx LIMIT \(limit)",
                arguments: StatementArguments(arguments))
            return rows.map { StoredRecord(index: UInt64($0["idx"] as Int64), bytes: Array($0["record"] as Data)) }
        }

        func checkpoints() throws -> [StoredCheckpoint] {
            try Row.fetchAll(db, sql: "SELECT size, note, time FROM audit_checkpoint ORDER BY size").map {
                StoredCheckpoint(size: UInt64($0["size"] as Int64), note: $0["note"], time: $0["time"])
            }
        }
    }
}

public import CustosCore
public import Foundation
import GRDB

/// The embedded database: one SQLite file in the data folder, opened once, migrated at open.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database file at `path` with write-ahead logging.
    public init(path: String) throws(CustosError) {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: configuration)
            writer = pool
            try Self.migrator.migrate(pool)
        } catch {
            throw .unavailable("cannot open the database at \(path): \(error)")
        }
    }

    /// An in-memory database, for tests.
    public init() throws(CustosError) {
        do {
            let queue = try DatabaseQueue()
            writer = queue
            try Self.migrator.migrate(queue)
        } catch {
            throw .unavailable("cannot open an in-memory database: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-agents") { db in
            try db.create(table: "agent") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("sponsor", .text).notNull()
                t.column("owners", .jsonText).notNull()
                t.column("purpose", .text).notNull()
                t.column("zone", .text).notNull()
                t.column("groups", .jsonText).notNull()
                t.column("blueprint", .jsonText).notNull()
                t.column("status", .text).notNull()
                t.column("revocationEpoch", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("lastSeenAt", .datetime)
            }
            try db.create(index: "agent_sponsor", on: "agent", columns: ["sponsor"])
            try db.create(index: "agent_zone", on: "agent", columns: ["zone"])
        }
        migrator.registerMigration("v2-join-tokens") { db in
            try db.create(table: "join_token") { t in
                t.primaryKey("digest", .text)
                t.column("agentID", .text).notNull().references("agent", column: "id", onDelete: .cascade)
                t.column("expiresAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
            try db.create(table: "agent_instance") { t in
                t.column("agentID", .text).notNull().references("agent", column: "id", onDelete: .cascade)
                t.column("instance", .text).notNull()
                t.column("firstSeenAt", .datetime).notNull()
                t.primaryKey(["agentID", "instance"])
            }
        }
        migrator.registerMigration("v3-policies") { db in
            try db.create(table: "policy_version") { t in
                t.primaryKey("version", .integer)
                t.column("policies", .text).notNull()
                t.column("links", .jsonText).notNull()
                t.column("author", .text).notNull()
                t.column("message", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "policy_activation") { t in
                t.autoIncrementedPrimaryKey("sequence")
                t.column("version", .integer).notNull().references("policy_version", column: "version")
                t.column("activatedBy", .text).notNull()
                t.column("activatedAt", .datetime).notNull()
                t.column("reason", .text).notNull()
            }
            // Versions and activations are history: they are never changed or removed.
            for table in ["policy_version", "policy_activation"] {
                for operation in ["UPDATE", "DELETE"] {
                    try db.execute(sql: """
                        CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
                        BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END
                        """)
                }
            }
        }
        migrator.registerMigration("v4-revocations") { db in
            // One row: the revocation epoch, which only grows. It starts above every agent's epoch
            // from before this migration, so earlier suspensions keep their effect.
            try db.execute(sql: """
                CREATE TABLE revocation_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL);
                INSERT INTO revocation_epoch (id, epoch) SELECT 1, COALESCE(MAX(revocationEpoch), 0) FROM agent;
                CREATE TRIGGER revocation_epoch_grows BEFORE UPDATE ON revocation_epoch
                WHEN NEW.epoch <= OLD.epoch BEGIN SELECT RAISE(ABORT, 'the revocation epoch only grows'); END;
                CREATE TRIGGER revocation_epoch_no_delete BEFORE DELETE ON revocation_epoch
                BEGIN SELECT RAISE(ABORT, 'the revocation epoch cannot be removed'); END;
                """)
            try db.create(table: "revocation") { t in
                t.primaryKey("epoch", .integer)
                t.column("scope", .text).notNull()
                t.column("target", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("revokedBy", .text).notNull()
                t.column("revokedAt", .datetime).notNull()
                t.column("expiresAt", .datetime)
            }
            try db.create(table: "consumed_grant") { t in
                t.primaryKey("jti", .text)
                t.column("expiresAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v5-agent-keys") { db in
            try db.create(table: "agent_key") { t in
                t.column("agentID", .text).notNull().references("agent", column: "id", onDelete: .cascade)
                t.column("thumbprint", .text).notNull()
                t.column("jwk", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["agentID", "thumbprint"])
            }
        }
        migrator.registerMigration("v6-tool-pins") { db in
            try db.create(table: "tool_pin") { t in
                t.column("server", .text).notNull()
                t.column("tool", .text).notNull()
                t.column("approvedDigest", .text)
                t.column("approvedDefinition", .text)
                t.column("pendingDigest", .text)
                t.column("pendingDefinition", .text)
                t.column("firstSeenAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("approvedBy", .text)
                t.primaryKey(["server", "tool"])
            }
        }
        return migrator
    }

    /// True when the database answers a trivial query.
    public func isReady() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// The agents table.
    public var agents: SQLiteAgentRepository { SQLiteAgentRepository(writer: writer) }

    /// Policy versions and activations.
    public var policies: SQLitePolicyRepository { SQLitePolicyRepository(writer: writer) }

    /// Revocations, the revocation epoch and spent single-use grants.
    public var revocations: SQLiteRevocationRepository { SQLiteRevocationRepository(writer: writer) }

    /// Agents' registered public keys (for `private_key_jwt`).
    public var agentKeys: SQLiteAgentKeyRepository { SQLiteAgentKeyRepository(writer: writer) }

    /// Pinned MCP tool definitions.
    public var toolPins: SQLiteToolPinRepository { SQLiteToolPinRepository(writer: writer) }

    /// Join tokens and agent instances.
    public var joinTokens: SQLiteJoinTokenRepository { SQLiteJoinTokenRepository(writer: writer) }
}

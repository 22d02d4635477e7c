public import CustosCore
public import Foundation
import GRDB

/// Revocations in SQLite. Revocations of agents, instances, sponsors and zones are kept for good
/// (they are small and an old credential must never verify again); token revocations and spent
/// single-use grants are dropped once the token would have expired anyway, with a margin well
/// beyond any verifier's clock skew.
public struct SQLiteRevocationRepository: RevocationRepository {
    let writer: any DatabaseWriter
    static let expiryMargin: TimeInterval = 600

    public func currentEpoch() async throws(CustosError) -> Int {
        try await writer.run("reading the revocation epoch", readOnly: true) { db in
            try Int.fetchOne(db, sql: "SELECT epoch FROM revocation_epoch WHERE id = 1") ?? 0
        }
    }

    public func revoke(
        scope: RevocationScope, target: String, reason: String, revokedBy: String, at time: Date, expiresAt: Date?
    ) async throws(CustosError) -> Revocation {
        try await writer.run("recording the revocation") { db in
            try db.execute(sql: "UPDATE revocation_epoch SET epoch = epoch + 1 WHERE id = 1")
            let epoch = try Int.fetchOne(db, sql: "SELECT epoch FROM revocation_epoch WHERE id = 1") ?? 0
            try db.execute(
                sql: """
                    INSERT INTO revocation (epoch, scope, target, reason, revokedBy, revokedAt, expiresAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [epoch, scope.rawValue, target, reason, revokedBy, time, expiresAt])
            // Expired token revocations are no longer needed.
            try db.execute(
                sql: "DELETE FROM revocation WHERE expiresAt IS NOT NULL AND expiresAt < ?",
                arguments: [time.addingTimeInterval(-Self.expiryMargin)])
            return Revocation(
                scope: scope, target: target, epoch: epoch, reason: reason, revokedBy: revokedBy, revokedAt: time,
                expiresAt: expiresAt)
        }
    }

    public func revocations(inForceAt time: Date) async throws(CustosError) -> [Revocation] {
        try await writer.run("reading revocations", readOnly: true) { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT * FROM revocation WHERE expiresAt IS NULL OR expiresAt >= ? ORDER BY epoch",
                arguments: [time.addingTimeInterval(-Self.expiryMargin)]
            ).map { row in
                // A scope this version does not know is kept as the broadest it could mean: its agent.
                let scope = RevocationScope(rawValue: row["scope"]) ?? .agent
                return Revocation(
                    scope: scope, target: row["target"], epoch: row["epoch"], reason: row["reason"],
                    revokedBy: row["revokedBy"], revokedAt: row["revokedAt"], expiresAt: row["expiresAt"])
            }
        }
    }

    public func consumeOnce(jti: String, expiresAt: Date) async throws(CustosError) -> Bool {
        try await writer.run("spending a single-use grant") { db in
            try db.execute(
                sql: "DELETE FROM consumed_grant WHERE expiresAt < ?", arguments: [Date().addingTimeInterval(-Self.expiryMargin)])
            try db.execute(sql: "INSERT OR IGNORE INTO consumed_grant (jti, expiresAt) VALUES (?, ?)", arguments: [jti, expiresAt])
            return db.changesCount == 1
        }
    }
}

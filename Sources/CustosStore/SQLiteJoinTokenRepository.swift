public import CustosCore
public import Foundation
import GRDB

/// Join tokens and agent instances in SQLite.
public struct SQLiteJoinTokenRepository: JoinTokenRepository {
    let writer: any DatabaseWriter

    public func insertJoinToken(digest: String, agent: AgentID, expiresAt: Date) async throws(CustosError) {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT INTO join_token (digest, agentID, expiresAt) VALUES (?, ?, ?)",
                    arguments: [digest, agent.rawValue, expiresAt])
            }
        } catch {
            throw .unavailable("cannot store the join token: the database is unavailable")
        }
    }

    public func consumeJoinToken(digest: String, now: Date) async throws(CustosError) -> AgentID? {
        let agent: String?
        do {
            agent = try await writer.write { db -> String? in
                // One statement: the first caller flips usedAt, any other sees no row change.
                try db.execute(
                    sql: "UPDATE join_token SET usedAt = ? WHERE digest = ? AND usedAt IS NULL AND expiresAt > ?",
                    arguments: [now, digest, now])
                guard db.changesCount == 1 else { return nil }
                return try String.fetchOne(db, sql: "SELECT agentID FROM join_token WHERE digest = ?", arguments: [digest])
            }
        } catch {
            throw .unavailable("cannot check the join token: the database is unavailable")
        }
        return try agent.map { (text: String) throws(CustosError) in try AgentID(text) }
    }

    public func recordInstance(agent: AgentID, instance: String, at time: Date) async throws(CustosError) {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO agent_instance (agentID, instance, firstSeenAt) VALUES (?, ?, ?)",
                    arguments: [agent.rawValue, instance, time])
                try db.execute(sql: "UPDATE agent SET lastSeenAt = ? WHERE id = ?", arguments: [time, agent.rawValue])
            }
        } catch {
            throw .unavailable("cannot record the agent instance: the database is unavailable")
        }
    }
}

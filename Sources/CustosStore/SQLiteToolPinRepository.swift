public import CustosGuardrails
import Foundation
import GRDB

/// Pinned MCP tool definitions in SQLite.
public struct SQLiteToolPinRepository: ToolPinRepository {
    let writer: any DatabaseWriter

    public func pins(server: String?) async throws(GuardrailError) -> [ToolPin] {
        do {
            return try await writer.read { db in
                let sql = "SELECT * FROM tool_pin" + (server == nil ? "" : " WHERE server = ?") + " ORDER BY server, tool"
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(server.map { [$0] } ?? [])).map { row in
                    ToolPin(
                        server: row["server"], tool: row["tool"], approvedDigest: row["approvedDigest"],
                        approvedDefinition: row["approvedDefinition"], pendingDigest: row["pendingDigest"],
                        pendingDefinition: row["pendingDefinition"], firstSeenAt: row["firstSeenAt"], updatedAt: row["updatedAt"],
                        approvedBy: row["approvedBy"])
                }
            }
        } catch {
            throw GuardrailError("cannot read the tool pins: the database is unavailable", kind: .unavailable)
        }
    }

    public func save(_ pin: ToolPin) async throws(GuardrailError) {
        do {
            try await writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO tool_pin (server, tool, approvedDigest, approvedDefinition, pendingDigest, pendingDefinition,
                            firstSeenAt, updatedAt, approvedBy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (server, tool) DO UPDATE SET approvedDigest = excluded.approvedDigest,
                            approvedDefinition = excluded.approvedDefinition, pendingDigest = excluded.pendingDigest,
                            pendingDefinition = excluded.pendingDefinition, updatedAt = excluded.updatedAt,
                            approvedBy = excluded.approvedBy
                        """,
                    arguments: [
                        pin.server, pin.tool, pin.approvedDigest, pin.approvedDefinition, pin.pendingDigest, pin.pendingDefinition,
                        pin.firstSeenAt, pin.updatedAt, pin.approvedBy,
                    ])
            }
        } catch {
            throw GuardrailError("cannot store the tool pin: the database is unavailable", kind: .unavailable)
        }
    }
}

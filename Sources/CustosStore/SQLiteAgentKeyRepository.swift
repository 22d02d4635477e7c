public import CustosCore
public import Foundation
import GRDB

/// A public key registered for an agent, with which it signs `private_key_jwt` assertions.
public struct AgentKey: Codable, Hashable, Sendable {
    /// RFC 7638 thumbprint of the key.
    public var thumbprint: String
    /// The public JWK, as registered (JSON text).
    public var jwk: String
    public var createdAt: Date

    public init(thumbprint: String, jwk: String, createdAt: Date) {
        self.thumbprint = thumbprint
        self.jwk = jwk
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case thumbprint, jwk
        case createdAt = "created_at"
    }
}

/// Agents' registered public keys in SQLite; they go with their agent when it is deleted.
public struct SQLiteAgentKeyRepository: Sendable {
    let writer: any DatabaseWriter
    public static let maximumPerAgent = 8

    /// Adds a key; false when the agent already has it. Throws `conflict` beyond eight keys.
    public func add(agent: AgentID, thumbprint: String, jwk: String, at time: Date) async throws(CustosError) -> Bool {
        try await writer.run("storing the key") { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_key WHERE agentID = ?", arguments: [agent.rawValue]) ?? 0
            guard count < Self.maximumPerAgent else {
                throw CustosError.conflict("agent \(agent) already has \(Self.maximumPerAgent) keys; remove one first")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO agent_key (agentID, thumbprint, jwk, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [agent.rawValue, thumbprint, jwk, time])
            return db.changesCount == 1
        }
    }

    public func keys(of agent: AgentID) async throws(CustosError) -> [AgentKey] {
        try await writer.run("reading the agent's keys", readOnly: true) { db in
            try Row.fetchAll(
                db, sql: "SELECT thumbprint, jwk, createdAt FROM agent_key WHERE agentID = ? ORDER BY createdAt, thumbprint",
                arguments: [agent.rawValue]
            ).map { AgentKey(thumbprint: $0["thumbprint"], jwk: $0["jwk"], createdAt: $0["createdAt"]) }
        }
    }

    /// Removes a key; false when there was none.
    public func remove(agent: AgentID, thumbprint: String) async throws(CustosError) -> Bool {
        try await writer.run("removing the key") { db in
            try db.execute(
                sql: "DELETE FROM agent_key WHERE agentID = ? AND thumbprint = ?", arguments: [agent.rawValue, thumbprint])
            return db.changesCount == 1
        }
    }
}

public import CustosCore
import Foundation
import GRDB

/// Agents in SQLite.
public struct SQLiteAgentRepository: AgentRepository {
    let writer: any DatabaseWriter

    /// One row of the `agent` table.
    struct Row: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "agent"
        var id: String
        var name: String
        var sponsor: String
        var owners: [String]
        var purpose: String
        var zone: String
        var groups: [String]
        var blueprint: Blueprint
        var status: String
        var revocationEpoch: Int
        var createdAt: Date
        var updatedAt: Date
        var lastSeenAt: Date?

        init(_ agent: Agent) {
            id = agent.id.rawValue
            name = agent.name
            sponsor = agent.sponsor
            owners = agent.owners
            purpose = agent.purpose
            zone = agent.zone
            groups = agent.groups
            blueprint = agent.blueprint
            status = agent.status.rawValue
            revocationEpoch = agent.revocationEpoch
            createdAt = agent.createdAt
            updatedAt = agent.updatedAt
            lastSeenAt = agent.lastSeenAt
        }

        func agent() throws(CustosError) -> Agent {
            guard let status = AgentStatus(rawValue: status) else {
                throw .internalError("agent \(id) has an unknown status in the database")
            }
            return Agent(
                id: try AgentID(id), name: name, sponsor: sponsor, owners: owners, purpose: purpose, zone: zone,
                groups: groups, blueprint: blueprint, status: status, revocationEpoch: revocationEpoch,
                createdAt: createdAt, updatedAt: updatedAt, lastSeenAt: lastSeenAt)
        }
    }

    public func insert(_ agent: Agent) async throws(CustosError) {
        let row = Row(agent)
        try await writer.run("registering agent \(agent.id)") { db in try row.insert(db) }
    }

    public func agent(_ id: AgentID) async throws(CustosError) -> Agent? {
        let row = try await writer.run("reading agent \(id)", readOnly: true) { db in try Row.fetchOne(db, key: id.rawValue) }
        return try row?.agent()
    }

    public func agents(after: AgentID?, limit: Int) async throws(CustosError) -> [Agent] {
        let rows = try await writer.run("listing agents", readOnly: true) { db in
            var request = Row.order(Column("id"))
            if let after { request = request.filter(Column("id") > after.rawValue) }
            return try request.limit(limit).fetchAll(db)
        }
        var agents: [Agent] = []
        for row in rows { agents.append(try row.agent()) }
        return agents
    }

    public func replace(_ agent: Agent) async throws(CustosError) {
        let row = Row(agent)
        let updated = try await writer.run("updating agent \(agent.id)") { db in
            guard try Row.exists(db, key: row.id) else { return false }
            try row.update(db)
            return true
        }
        if !updated { throw .notFound("no agent with id \(agent.id)") }
    }

    public func remove(_ id: AgentID) async throws(CustosError) -> Bool {
        try await writer.run("deleting agent \(id)") { db in try Row.deleteOne(db, key: id.rawValue) }
    }
}

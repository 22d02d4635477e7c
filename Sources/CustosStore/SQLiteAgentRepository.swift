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

    private func run<T: Sendable>(
        _ what: String, readOnly: Bool = false, _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(CustosError) -> T {
        do {
            // Reads go to the pool's readers, in parallel with each other and with the writer.
            return readOnly ? try await writer.read(body) : try await writer.write(body)
        } catch let error as CustosError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw .conflict("\(what): already exists")
        } catch {
            throw .unavailable("\(what) failed: the database is unavailable")
        }
    }

    public func insert(_ agent: Agent) async throws(CustosError) {
        let row = Row(agent)
        try await run("registering agent \(agent.id)") { db in try row.insert(db) }
    }

    public func agent(_ id: AgentID) async throws(CustosError) -> Agent? {
        let row = try await run("reading agent \(id)", readOnly: true) { db in try Row.fetchOne(db, key: id.rawValue) }
        return try row?.agent()
    }

    public func agents(after: AgentID?, limit: Int) async throws(CustosError) -> [Agent] {
        let rows = try await run("listing agents", readOnly: true) { db in
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
        let updated = try await run("updating agent \(agent.id)") { db in
            guard try Row.exists(db, key: row.id) else { return false }
            try row.update(db)
            return true
        }
        if !updated { throw .notFound("no agent with id \(agent.id)") }
    }

    public func remove(_ id: AgentID) async throws(CustosError) -> Bool {
        try await run("deleting agent \(id)") { db in try Row.deleteOne(db, key: id.rawValue) }
    }
}

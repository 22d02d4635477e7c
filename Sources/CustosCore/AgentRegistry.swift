public import Foundation

/// A change the registry made, for whoever keeps a projection of it (the policy entities).
public enum AgentChange: Sendable {
    case saved(Agent)
    case removed(AgentID)
}

/// The rules for registering and changing agents, over any ``AgentRepository``.
public struct AgentRegistry: Sendable {
    public let repository: any AgentRepository
    private let now: @Sendable () -> Date
    private let onChange: @Sendable (AgentChange) -> Void

    /// `onChange` is called after every stored change (concurrent changes of one agent may be reported
    /// out of order; `Agent.updatedAt` tells which is newer).
    public init(
        repository: any AgentRepository, now: @escaping @Sendable () -> Date = { Date() },
        onChange: @escaping @Sendable (AgentChange) -> Void = { _ in }
    ) {
        self.repository = repository
        self.now = now
        self.onChange = onChange
    }

    /// Registers an agent: validates it, assigns an id if none was given, and makes it active.
    public func register(_ registration: AgentRegistration) async throws(CustosError) -> Agent {
        let blueprint = registration.blueprint ?? Blueprint()
        let time = now()
        let agent = Agent(
            id: registration.id ?? AgentID.random(), name: registration.name, sponsor: registration.sponsor,
            owners: registration.owners ?? [], purpose: registration.purpose ?? "",
            zone: registration.zone ?? "default", groups: registration.groups ?? [], blueprint: blueprint,
            status: .active, revocationEpoch: 0, createdAt: time, updatedAt: time, lastSeenAt: nil)
        try Self.validate(agent)
        try await repository.insert(agent)
        onChange(.saved(agent))
        return agent
    }

    public func agent(_ id: AgentID) async throws(CustosError) -> Agent {
        guard let agent = try await repository.agent(id) else { throw .notFound("no agent with id \(id)") }
        return agent
    }

    public func agents(after: AgentID?, limit: Int) async throws(CustosError) -> [Agent] {
        guard (1...1000).contains(limit) else { throw .invalidRequest("limit must be 1-1000") }
        return try await repository.agents(after: after, limit: limit)
    }

    /// Every agent, in id order (read page by page).
    public func allAgents() async throws(CustosError) -> [Agent] {
        var agents: [Agent] = []
        var after: AgentID?
        while true {
            let page = try await repository.agents(after: after, limit: 1000)
            agents += page
            guard page.count == 1000, let last = page.last else { return agents }
            after = last.id
        }
    }

    public func update(_ id: AgentID, with update: AgentUpdate) async throws(CustosError) -> Agent {
        var agent = try await agent(id)
        if let name = update.name { agent.name = name }
        if let sponsor = update.sponsor { agent.sponsor = sponsor }
        if let owners = update.owners { agent.owners = owners }
        if let purpose = update.purpose { agent.purpose = purpose }
        if let zone = update.zone { agent.zone = zone }
        if let groups = update.groups { agent.groups = groups }
        if let blueprint = update.blueprint { agent.blueprint = blueprint }
        agent.updatedAt = now()
        try Self.validate(agent)
        try await repository.replace(agent)
        onChange(.saved(agent))
        return agent
    }

    /// Suspends an agent: it cannot obtain credentials, and credentials issued before revocation
    /// epoch `epoch` stop verifying (the kill switch takes that epoch first; see ``Revocation``).
    public func suspend(_ id: AgentID, epoch: Int) async throws(CustosError) -> Agent {
        var agent = try await agent(id)
        guard agent.status != .revoked else { throw .conflict("agent \(id) is revoked") }
        agent.status = .suspended
        agent.revocationEpoch = max(agent.revocationEpoch, epoch)
        agent.updatedAt = now()
        try await repository.replace(agent)
        onChange(.saved(agent))
        return agent
    }

    /// Makes a suspended agent active again. Credentials revoked by the suspension stay revoked.
    public func reactivate(_ id: AgentID) async throws(CustosError) -> Agent {
        var agent = try await agent(id)
        guard agent.status == .suspended || agent.status == .staged else {
            throw .conflict("only a suspended or staged agent can be reactivated; agent \(id) is \(agent.status.rawValue)")
        }
        agent.status = .active
        agent.updatedAt = now()
        try await repository.replace(agent)
        onChange(.saved(agent))
        return agent
    }

    public func delete(_ id: AgentID) async throws(CustosError) {
        guard try await repository.remove(id) else { throw .notFound("no agent with id \(id)") }
        onChange(.removed(id))
    }

    static func validate(_ agent: Agent) throws(CustosError) {
        try Limits.text(agent.name, "name", required: true)
        try Limits.text(agent.sponsor, "sponsor", required: true)
        try Limits.text(agent.purpose, "purpose", max: Limits.longText)
        try Limits.text(agent.zone, "zone", required: true)
        try Limits.list(agent.owners, "owners")
        try Limits.list(agent.groups, "groups")
        try agent.blueprint.validate()
    }
}

/// Where agents are kept. One implementation per storage engine; all are safe to share between tasks.
public protocol AgentRepository: Sendable {
    /// Stores a new agent; throws `conflict` when the id is taken.
    func insert(_ agent: Agent) async throws(CustosError)
    func agent(_ id: AgentID) async throws(CustosError) -> Agent?
    /// Agents in id order, after `after` when given, at most `limit`.
    func agents(after: AgentID?, limit: Int) async throws(CustosError) -> [Agent]
    /// Replaces an existing agent; throws `notFound` when there is none.
    func replace(_ agent: Agent) async throws(CustosError)
    /// Removes an agent; returns whether it existed.
    func remove(_ id: AgentID) async throws(CustosError) -> Bool
}

/// Agents in memory, for tests and for embedding without persistence.
public actor InMemoryAgentRepository: AgentRepository {
    private var stored: [AgentID: Agent] = [:]

    public init() {}

    public func insert(_ agent: Agent) throws(CustosError) {
        guard stored[agent.id] == nil else { throw .conflict("an agent with id \(agent.id) exists") }
        stored[agent.id] = agent
    }

    public func agent(_ id: AgentID) -> Agent? { stored[id] }

    public func agents(after: AgentID?, limit: Int) -> [Agent] {
        let sorted = stored.values.sorted { $0.id < $1.id }
        return Array(sorted.filter { after == nil || $0.id > after! }.prefix(limit))
    }

    public func replace(_ agent: Agent) throws(CustosError) {
        guard stored[agent.id] != nil else { throw .notFound("no agent with id \(agent.id)") }
        stored[agent.id] = agent
    }

    public func remove(_ id: AgentID) -> Bool { stored.removeValue(forKey: id) != nil }
}

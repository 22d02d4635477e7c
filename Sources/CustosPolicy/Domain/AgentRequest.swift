public import Cedar
public import CustosCore
public import Foundation

/// Who is calling, as a verified credential says: the executing agent instance and, for a delegated
/// grant, the agents it acts for and the user on whose behalf the chain runs.
public struct AgentCaller: Hashable, Sendable {
    public var agent: AgentID
    public var instance: String
    /// The agents of the delegation chain, the root first and the executing agent last.
    public var chain: [AgentID]
    /// The user on whose behalf the chain acts (the delegation root), when there is one.
    public var onBehalfOf: String?

    public init(agent: AgentID, instance: String, chain: [AgentID]? = nil, onBehalfOf: String? = nil) {
        self.agent = agent
        self.instance = instance
        self.chain = chain ?? [agent]
        self.onBehalfOf = onBehalfOf
    }
}

/// Builds the Cedar request for an action an agent takes: the principal is the agent instance (a
/// member of its agent, so of the agent's groups and zone), and the context says who authorized it
/// (`delegation.on_behalf_of`, `delegation.chain`, `delegation.depth`) and when (`time`).
public struct AgentRequestBuilder: Sendable {
    /// `context.time` in the configured zone.
    public let time: TimeContext

    public init(timeZone: TimeZone) {
        self.time = TimeContext(timeZone: timeZone)
    }

    /// The request and the request entities (the instance) to decide it with. `extra` adds context
    /// fields (`session`, `findings`, `approvals`, `source_ip`, …); it cannot replace `time` or `delegation`.
    public func request(
        caller: AgentCaller, action: String, resource: EntityUID, context extra: [String: Value] = [:], at now: Date
    ) -> (request: Request, entities: [Entity]) {
        let instance = RegistryProjection.instance(caller.agent, caller.instance)
        var delegation: [String: Value] = [
            "depth": .long(Int64(max(0, caller.chain.count - 1))),
            "chain": .set(Set(caller.chain.map { .entity(RegistryProjection.uid($0)) })),
        ]
        if let user = caller.onBehalfOf { delegation["on_behalf_of"] = .entity(RegistryProjection.user(user)) }
        var context = extra
        context["time"] = time.value(at: now)
        context["delegation"] = .record(delegation)
        if context["approvals"] == nil { context["approvals"] = .long(0) }
        let request = Request(
            principal: instance.uid, action: EntityUID(type: .action, id: action), resource: resource, context: context)
        return (request, [instance])
    }
}

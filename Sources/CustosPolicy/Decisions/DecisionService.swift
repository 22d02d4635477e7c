public import Cedar
public import CustosCore
import Synchronization

/// What one decision is made against: the active policy set with its version and the entities.
public struct PolicySnapshot: Sendable {
    /// 0 until a version is activated; with no policies every request is denied.
    public let version: Int
    public let policies: PolicySet
    public let entities: Entities

    public init(version: Int, policies: PolicySet, entities: Entities) {
        self.version = version
        self.policies = policies
        self.entities = entities
    }

    /// The reason given when the principal's agent is not active.
    public static let inactiveAgentReason = "custos:agent-inactive"

    /// Cedar's answer for `request`, with `requestEntities` laid over the stored entities, and the
    /// approval obligation applied. Before any policy, the registry has its say: a principal that is a
    /// registered agent (or an instance of one) whose status is not `active` — suspended, revoked,
    /// staged — is denied, with ``inactiveAgentReason`` as the reason, whatever the policies permit.
    public func decide(_ request: Request, requestEntities: [Entity] = []) -> PolicyDecision {
        let scoped = requestEntities.isEmpty ? entities : entities.overlaid(with: requestEntities)
        if Self.isInactiveAgent(request.principal, in: scoped) {
            return PolicyDecision(outcome: .deny, reason: [Self.inactiveAgentReason], errors: [], policyVersion: version)
        }
        let response = Authorizer().isAuthorized(request, policies: policies, entities: scoped)
        return ApprovalRule.decision(response, policies: policies, version: version)
    }

    /// True for an `Agent` whose stored status is not `active`, or an `AgentInstance` of one.
    private static func isInactiveAgent(_ principal: EntityUID, in entities: Entities) -> Bool {
        func inactive(_ uid: EntityUID) -> Bool {
            guard case .string(let status)? = entities[uid]?.attributes["status"] else { return false }
            return status != AgentStatus.active.rawValue
        }
        switch principal.type.name {
        case "Agent": return inactive(principal)
        case "AgentInstance":
            return entities[principal]?.parents.contains { $0.type.name == "Agent" && inactive($0) } ?? false
        default: return false
        }
    }
}

/// The decision point every enforcement point asks. It holds the active policy set and the entities:
/// those configured (servers, tools, datasets, users…) and the projection of the agent registry, kept
/// current as agents change. Reading a snapshot is a lock and two reference copies, so decisions never
/// wait for a policy change or a registry update to finish.
public final class DecisionService: Sendable {
    private struct State {
        var snapshot: PolicySnapshot
        var configured: [Entity]
        var agents: [AgentID: Agent]
    }

    private let state: Mutex<State>

    /// `configured` are the entities of the configuration; they may not define agents or agent
    /// instances, which come from the registry.
    public init(configured: [Entity] = []) throws(CustosError) {
        for entity in configured where ["Agent", "AgentInstance"].contains(entity.uid.type.name) {
            throw .invalidRequest("configured entities may not define \(entity.uid): agents come from the registry")
        }
        let entities = try Self.entities(configured: configured, agents: [:])
        state = Mutex(State(
            snapshot: PolicySnapshot(version: 0, policies: PolicySet(), entities: entities),
            configured: configured, agents: [:]))
    }

    public var snapshot: PolicySnapshot { state.withLock { $0.snapshot } }

    /// Makes `policies` (already compiled and validated) the active set.
    public func activate(version: Int, policies: PolicySet) {
        state.withLock { state in
            state.snapshot = PolicySnapshot(version: version, policies: policies, entities: state.snapshot.entities)
        }
    }

    /// Replaces the projected agents (at start).
    public func load(agents: [Agent]) throws(CustosError) {
        try state.withLock { (state: inout State) throws(CustosError) in
            state.agents = Dictionary(agents.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            try Self.rebuild(&state)
        }
    }

    /// Applies one registry change; an older copy of an agent never replaces a newer one.
    public func apply(_ change: AgentChange) throws(CustosError) {
        try state.withLock { (state: inout State) throws(CustosError) in
            switch change {
            case .saved(let agent):
                if let known = state.agents[agent.id], known.updatedAt > agent.updatedAt { return }
                state.agents[agent.id] = agent
            case .removed(let id):
                guard state.agents.removeValue(forKey: id) != nil else { return }
            }
            try Self.rebuild(&state)
        }
    }

    private static func rebuild(_ state: inout State) throws(CustosError) {
        let entities = try entities(configured: state.configured, agents: state.agents)
        let current = state.snapshot
        state.snapshot = PolicySnapshot(version: current.version, policies: current.policies, entities: entities)
    }

    private static func entities(configured: [Entity], agents: [AgentID: Agent]) throws(CustosError) -> Entities {
        var list = configured
        var known = Set(configured.map(\.uid))
        for agent in agents.values {
            let entity = RegistryProjection.entity(agent)
            list.append(entity)
            known.insert(entity.uid)
        }
        for agent in agents.values {
            for uid in RegistryProjection.referenced(by: agent) where known.insert(uid).inserted {
                list.append(Entity(uid: uid))
            }
        }
        do {
            return try Entities(list)
        } catch {
            throw .invalidRequest("the policy entities are inconsistent: \(error.message)")
        }
    }
}

public import CustosCore
import Foundation
import Synchronization

/// What every verification consults, in memory: which agents exist and may hold credentials, and
/// which revocations are in force. A revocation applied here takes effect on the very next
/// verification in this process; the durable record is written first (see ``RevocationRepository``).
public final class RevocationState: Sendable {
    /// What the state knows about one agent.
    struct Standing {
        var active: Bool
        var sponsor: String
        var zone: String
        /// The agent record's own epoch (raised by suspensions from before the epoch counter).
        var epoch: Int
        var updatedAt: Date
    }

    struct State {
        var epoch = 0
        var agents: [AgentID: Standing] = [:]
        /// The epoch of the latest revocation per target, by scope; credentials of an earlier epoch are revoked.
        var notBefore: [RevocationScope: [String: Int]] = [:]
        /// Revoked token ids, with when they expire anyway.
        var tokens: [String: Date] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Replaces everything known with the stored agents and revocations, at start.
    public func load(agents: [Agent], revocations: [Revocation], epoch: Int) {
        var fresh = State()
        fresh.epoch = epoch
        for agent in agents { fresh.agents[agent.id] = Self.standing(agent) }
        for revocation in revocations { Self.record(revocation, in: &fresh) }
        state.withLock { $0 = fresh }
    }

    /// The epoch new credentials are issued in.
    public var currentEpoch: Int { state.withLock { $0.epoch } }

    /// Takes a registry change; an older copy of an agent never replaces a newer one.
    public func apply(_ change: AgentChange) {
        state.withLock { state in
            switch change {
            case .saved(let agent):
                if let known = state.agents[agent.id], known.updatedAt > agent.updatedAt { return }
                state.agents[agent.id] = Self.standing(agent)
            case .removed(let id):
                state.agents[id] = nil
            }
        }
    }

    /// Puts a revocation in force now. For an agent, a sponsor or a zone, the agents concerned stop
    /// being able to obtain credentials at once (their suspension in the registry follows).
    public func apply(_ revocation: Revocation) {
        state.withLock { state in
            Self.record(revocation, in: &state)
            let affected: (Standing, AgentID) -> Bool
            switch revocation.scope {
            case .agent: affected = { $1.rawValue == revocation.target }
            case .sponsor: affected = { standing, _ in standing.sponsor == revocation.target }
            case .zone: affected = { standing, _ in standing.zone == revocation.target }
            case .instance, .token: return
            }
            for (id, standing) in state.agents where affected(standing, id) {
                state.agents[id]?.active = false
            }
        }
    }

    private static func record(_ revocation: Revocation, in state: inout State) {
        state.epoch = max(state.epoch, revocation.epoch)
        if revocation.scope == .token {
            state.tokens[revocation.target] = revocation.expiresAt ?? .distantFuture
            if state.tokens.count > 10_000 {
                let now = Date().addingTimeInterval(-600)
                state.tokens = state.tokens.filter { $0.value >= now }
            }
        } else {
            state.notBefore[revocation.scope, default: [:]][revocation.target] = max(
                state.notBefore[revocation.scope]?[revocation.target] ?? 0, revocation.epoch)
        }
    }

    private static func standing(_ agent: Agent) -> Standing {
        Standing(
            active: agent.status == .active, sponsor: agent.sponsor, zone: agent.zone, epoch: agent.revocationEpoch,
            updatedAt: agent.updatedAt)
    }

    /// Throws unless a credential of `instance` of `agent`, issued in `epoch` with id `jti`, is still in
    /// force: the agent exists and is active, and no revocation of the token, the instance, the agent,
    /// its sponsor or its zone came after it was issued.
    public func check(agent: AgentID, instance: String, epoch: Int, jti: String) throws(CustosError) {
        let failure: String? = state.withLock { state in
            guard let standing = state.agents[agent] else { return "the token's agent no longer exists" }
            guard standing.active else { return "the token's agent is not active" }
            guard state.tokens[jti] == nil else { return "the token has been revoked" }
            let instanceKey = "\(agent.rawValue)/\(instance)"
            let latest = max(
                standing.epoch, state.notBefore[.agent]?[agent.rawValue] ?? 0, state.notBefore[.instance]?[instanceKey] ?? 0,
                state.notBefore[.sponsor]?[standing.sponsor] ?? 0, state.notBefore[.zone]?[standing.zone] ?? 0)
            return epoch < latest ? "the token has been revoked" : nil
        }
        if let failure { throw .unauthorized(failure) }
    }

    /// Throws unless `instance` of `agent` may obtain a new credential: the agent is active here and the
    /// instance has never been revoked (a revoked instance stays revoked; a new run takes a new name).
    public func checkIssuable(agent: AgentID, instance: String) throws(CustosError) {
        let failure: String? = state.withLock { state in
            guard let standing = state.agents[agent] else { return "agent \(agent) does not exist" }
            guard standing.active else { return "agent \(agent) is not active" }
            guard state.notBefore[.instance]?["\(agent.rawValue)/\(instance)"] == nil else {
                return "instance \(instance) of agent \(agent) has been revoked"
            }
            return nil
        }
        if let failure { throw .forbidden(failure) }
    }
}

import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import Foundation

/// The kill switch: revokes the credentials of one token, one instance, one agent, every agent of a
/// sponsor or every agent of a zone. The revocation is made durable first, then put in force in this
/// process (the next verification fails), then the agents concerned are suspended so that they cannot
/// obtain new credentials until an operator reactivates them, and last it is audited
/// (`credentials.revoked`, then `agent.suspended` for each agent). Should the audit log fail, all of it
/// stays in force and the caller gets 503.
struct KillSwitch: Sendable {
    let registry: AgentRegistry
    let repository: any RevocationRepository
    let state: RevocationState
    let audit: AuditLog

    /// What a kill did.
    struct Outcome: Codable, Sendable {
        var revocation: Revocation
        /// The agents suspended by it, in id order.
        var suspended: [AgentID]
    }

    func kill(
        _ scope: RevocationScope, target: String, reason: String, by caller: String, tokenExpiry: Date? = nil
    ) async throws(CustosError) -> Outcome {
        try Revocation.validate(scope: scope, target: target)
        try Limits.text(reason, "reason", max: Limits.longText)
        // An agent or instance kill of an unknown agent is most likely a typo; say so rather than succeed.
        var subject: Agent?
        switch scope {
        case .agent:
            subject = try await registry.agent(try AgentID(target))
        case .instance:
            subject = try await registry.agent(try AgentID(String(target.prefix { $0 != "/" })))
        case .sponsor, .zone, .token:
            break
        }
        let revocation = try await revoke(scope, target: target, reason: reason, by: caller, tokenExpiry: tokenExpiry)
        var suspended: [Agent] = []
        for id in try await agentsToSuspend(scope, target: target) {
            do {
                suspended.append(try await registry.suspend(id, epoch: revocation.epoch))
            } catch where error.code == .notFound || error.code == .conflict {
                continue  // deleted meanwhile, or already revoked for good
            }
        }
        var details: [String: JSONValue] = [
            "scope": .string(scope.rawValue), "target": .string(target), "epoch": .integer(Int64(revocation.epoch)),
        ]
        if !reason.isEmpty { details["reason"] = .string(reason) }
        _ = try await audit.recordEvent("credentials.revoked", agent: subject, authorizedBy: caller, details: details)
        for agent in suspended {
            _ = try await audit.recordEvent(
                "agent.suspended", agent: agent, authorizedBy: caller,
                details: ["revocation_epoch": .integer(Int64(agent.revocationEpoch))])
        }
        return Outcome(revocation: revocation, suspended: suspended.map(\.id))
    }

    /// Records a revocation durably and puts it in force in this process, without suspending or
    /// auditing (for callers that audit the operation it is part of, such as deleting an agent).
    func revoke(
        _ scope: RevocationScope, target: String, reason: String, by caller: String, tokenExpiry: Date? = nil
    ) async throws(CustosError) -> Revocation {
        let expiry = tokenExpiry ?? Date().addingTimeInterval(TimeInterval(Blueprint.maximumCredentialTTLSeconds))
        let revocation = try await repository.revoke(
            scope: scope, target: target, reason: reason, revokedBy: caller, at: Date(),
            expiresAt: scope == .token ? expiry : nil)
        state.apply(revocation)
        return revocation
    }

    private func agentsToSuspend(_ scope: RevocationScope, target: String) async throws(CustosError) -> [AgentID] {
        switch scope {
        case .agent: return [try AgentID(target)]
        case .instance, .token: return []
        case .sponsor, .zone: break
        }
        return try await registry.allAgents()
            .filter { (scope == .sponsor ? $0.sponsor : $0.zone) == target && $0.status != .revoked }
            .map(\.id)
    }
}

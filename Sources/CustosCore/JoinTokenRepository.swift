public import Foundation

/// One-time join tokens, stored by their SHA-256 digest only.
public protocol JoinTokenRepository: Sendable {
    /// Stores a new join token for `agent`, valid until `expiresAt`.
    func insertJoinToken(digest: String, agent: AgentID, expiresAt: Date) async throws(CustosError)
    /// Marks the token used and returns its agent, atomically: of two concurrent calls with the same
    /// digest, at most one gets the agent. Nil when unknown, expired or already used.
    func consumeJoinToken(digest: String, now: Date) async throws(CustosError) -> AgentID?
    /// Records that `instance` of `agent` obtained a credential (first time only) and when the agent was last seen.
    func recordInstance(agent: AgentID, instance: String, at time: Date) async throws(CustosError)
}

public import Foundation

/// What a revocation (a kill) applies to.
public enum RevocationScope: String, Codable, Hashable, Sendable, CaseIterable {
    /// One credential, by its `jti`.
    case token
    /// One running instance of an agent (`agent-id/instance`).
    case instance
    /// One agent and all its instances.
    case agent
    /// Every agent a sponsor is accountable for.
    case sponsor
    /// Every agent in a trust zone.
    case zone
}

/// A recorded revocation. Custos keeps one revocation epoch, a counter that only grows: every
/// credential carries the epoch it was issued in, and every revocation takes the next epoch. A
/// credential of the revoked target whose epoch is lower than the revocation's no longer verifies.
/// Token revocations name the `jti` instead and last until the token would have expired.
public struct Revocation: Codable, Hashable, Sendable {
    public var scope: RevocationScope
    /// The agent id, `agent-id/instance`, sponsor, zone or `jti`.
    public var target: String
    /// Credentials of the target issued in an earlier epoch are revoked.
    public var epoch: Int
    public var reason: String
    /// Who asked for it (`admin`, or the SPIFFE ID of an agent revoking its own token).
    public var revokedBy: String
    public var revokedAt: Date
    /// For token revocations: when the token expires anyway, after which the entry can be dropped.
    public var expiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case scope, target, epoch, reason
        case revokedBy = "revoked_by"
        case revokedAt = "revoked_at"
        case expiresAt = "expires_at"
    }

    public init(
        scope: RevocationScope, target: String, epoch: Int, reason: String, revokedBy: String, revokedAt: Date,
        expiresAt: Date? = nil
    ) {
        self.scope = scope
        self.target = target
        self.epoch = epoch
        self.reason = reason
        self.revokedBy = revokedBy
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
    }

    /// Checks the target's form for its scope: an agent id, `agent-id/instance`, or 1-256 printable
    /// characters for sponsors, zones and token ids.
    public static func validate(scope: RevocationScope, target: String) throws(CustosError) {
        switch scope {
        case .agent:
            _ = try AgentID(target)
        case .instance:
            let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, (try? AgentID(String(parts[0]))) != nil,
                (try? SPIFFEID.validateInstanceName(String(parts[1]))) != nil
            else { throw .invalidRequest("an instance target is `agent-id/instance`") }
        case .sponsor, .zone, .token:
            try Limits.text(target, "target", required: true)
        }
    }
}

/// Where revocations are kept, with the revocation epoch counter.
public protocol RevocationRepository: Sendable {
    /// The current revocation epoch: the epoch new credentials are issued in.
    func currentEpoch() async throws(CustosError) -> Int
    /// Takes the next epoch and records the revocation under it, atomically and durably.
    func revoke(
        scope: RevocationScope, target: String, reason: String, revokedBy: String, at time: Date, expiresAt: Date?
    ) async throws(CustosError) -> Revocation
    /// Every revocation still in force at `time` (token revocations past their expiry are left out).
    func revocations(inForceAt time: Date) async throws(CustosError) -> [Revocation]
    /// Marks a single-use credential used: true for the first call with `jti`, false for any later one.
    func consumeOnce(jti: String, expiresAt: Date) async throws(CustosError) -> Bool
}

public import Cedar

/// How many humans must approve before an action that policy holds for approval may go ahead.
public enum ApprovalLevel: String, Hashable, Sendable, Comparable, CaseIterable {
    case single, dual

    public static func < (lhs: ApprovalLevel, rhs: ApprovalLevel) -> Bool { lhs == .single && rhs == .dual }

    /// The number of distinct approvers the level asks for.
    public var approvers: Int { self == .single ? 1 : 2 }
}

/// The answer of the decision service: allow, deny, or allow once humans approve; with the policies
/// that determined it, the policies that erred and the policy-set version it was made under.
public struct PolicyDecision: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        case allow
        case deny
        /// Denied now; only `@approval` forbid policies stand in the way (see ``ApprovalRule``).
        case needsApproval(ApprovalLevel)
    }

    public var outcome: Outcome
    /// The determining policies: the satisfied permits for an allow, the satisfied forbids for a deny or
    /// an approval; empty when nothing permitted the request.
    public var reason: [String]
    public var errors: [PolicyError]
    /// The active policy-set version (0: no policy set was ever activated, so everything is denied).
    public var policyVersion: Int

    public init(outcome: Outcome, reason: [String], errors: [PolicyError], policyVersion: Int) {
        self.outcome = outcome
        self.reason = reason
        self.errors = errors
        self.policyVersion = policyVersion
    }

    /// True only for an allow: a call that needs approval is not allowed yet.
    public var isAllowed: Bool { outcome == .allow }

    /// `allow`, `deny` or `needs_approval`, the spelling of the API and the audit log.
    public var outcomeName: String {
        switch outcome {
        case .allow: "allow"
        case .deny: "deny"
        case .needsApproval: "needs_approval"
        }
    }

    /// The approval level when the outcome is ``Outcome/needsApproval(_:)``.
    public var approval: ApprovalLevel? {
        if case .needsApproval(let level) = outcome { return level }
        return nil
    }
}

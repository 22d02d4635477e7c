public import Cedar

/// Turns some denies into "needs approval". A deny needs approval, rather than being final, exactly when:
///
/// 1. at least one `permit` policy is satisfied (without one the request is denied by default, and no
///    approval could change that);
/// 2. every satisfied `forbid` policy carries `@approval("single")` or `@approval("dual")`;
/// 3. no `forbid` policy without a valid `@approval` annotation erred: such a policy might have applied,
///    and an error must not open a path that a working policy would have closed (fail closed).
///
/// The level is the highest among the satisfied approval forbids and any approval forbid that erred
/// (`dual` above `single`). The usual approval policy lifts itself once approvals are present
/// (`unless { context.approvals >= 2 }`), so the same request with the approvals in its context is allowed.
public enum ApprovalRule {
    /// The annotation name.
    public static let annotation = "approval"

    /// The level an `@approval` annotation asks for; nil without one. A value other than `single` or
    /// `dual` is an error that validation reports before a policy set can be activated.
    public static func level(of policy: Policy) throws(CedarError) -> ApprovalLevel? {
        guard let value = policy.annotation(annotation) else { return nil }
        guard let level = ApprovalLevel(rawValue: value) else {
            throw .validation("policy `\(policy.id)`: @approval must be \"single\" or \"dual\", not \"\(value)\"")
        }
        return level
    }

    /// Every policy's annotation is well formed, and only `forbid` policies carry one.
    public static func check(_ policies: PolicySet) -> [String] {
        var problems: [String] = []
        for policy in policies.policies + policies.templates where policy.templateID == nil {
            do {
                if try level(of: policy) != nil, policy.effect != .forbid {
                    problems.append("policy `\(policy.id)`: @approval belongs on a forbid policy")
                }
            } catch {
                problems.append(error.message)
            }
        }
        return problems
    }

    /// The decision for Cedar's `response` under `policies`.
    public static func decision(_ response: Response, policies: PolicySet, version: Int) -> PolicyDecision {
        func final(_ outcome: PolicyDecision.Outcome) -> PolicyDecision {
            PolicyDecision(outcome: outcome, reason: response.reason, errors: response.errors, policyVersion: version)
        }
        guard response.decision == .deny else { return final(.allow) }
        guard !response.reason.isEmpty, !response.satisfiedPermits.isEmpty else { return final(.deny) }
        var required: ApprovalLevel?
        for id in response.reason {
            guard let policy = policies.policy(id: id), let level = try? level(of: policy) else { return final(.deny) }
            required = max(required ?? level, level)
        }
        for error in response.errors {
            guard let policy = policies.policy(id: error.policyID) else { return final(.deny) }
            guard policy.effect == .forbid else { continue }
            guard let level = try? level(of: policy) else { return final(.deny) }
            required = max(required ?? level, level)
        }
        guard let required else { return final(.deny) }
        return final(.needsApproval(required))
    }
}

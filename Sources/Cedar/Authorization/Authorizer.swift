/// Allow or deny.
public enum Decision: String, Hashable, Sendable {
    case allow, deny
}

/// A policy that could not be evaluated for a request, and why.
public struct PolicyError: Hashable, Sendable {
    public var policyID: String
    public var message: String

    public init(policyID: String, message: String) {
        self.policyID = policyID
        self.message = message
    }
}

/// The answer to a request: the decision, the policies that determined it, and the policies that erred.
public struct Response: Hashable, Sendable {
    public var decision: Decision
    /// The satisfied forbid policies when denied by one, else the satisfied permit policies.
    public var reason: [String]
    public var errors: [PolicyError]
    /// Every satisfied permit policy, also when a forbid overrode them (obligations such as approvals
    /// need to know whether anything would have permitted the request).
    public var satisfiedPermits: [String]

    public init(decision: Decision, reason: [String], errors: [PolicyError], satisfiedPermits: [String]? = nil) {
        self.decision = decision
        self.reason = reason
        self.errors = errors
        self.satisfiedPermits = satisfiedPermits ?? (decision == .allow ? reason : [])
    }
}

/// Cedar's authorization algorithm: a satisfied `forbid` overrides any `permit`; without a satisfied
/// `permit` the answer is deny. A policy whose evaluation errs is skipped and reported.
public struct Authorizer: Sendable {
    public init() {}

    public func isAuthorized(_ request: Request, policies: PolicySet, entities: Entities) -> Response {
        decide(request, policies, policies.index.candidates(for: request, entities: entities), entities)
    }

    /// The same decision, evaluating every policy instead of only the index's candidates (for tests).
    func isAuthorizedWithoutIndex(_ request: Request, policies: PolicySet, entities: Entities) -> Response {
        decide(request, policies, Array(policies.policies.indices), entities)
    }

    private func decide(_ request: Request, _ set: PolicySet, _ candidates: [Int], _ entities: Entities) -> Response {
        let evaluator = Evaluator(request: request, entities: entities)
        var permits: [String] = []
        var forbids: [String] = []
        var errors: [PolicyError] = []
        for position in candidates {
            let policy = set.policies[position]
            do {
                if try evaluator.isSatisfied(policy) {
                    if policy.effect == .forbid {
                        forbids.append(policy.id)
                    } else {
                        permits.append(policy.id)
                    }
                }
            } catch {
                errors.append(PolicyError(policyID: policy.id, message: error.message))
            }
        }
        if !forbids.isEmpty {
            return Response(decision: .deny, reason: forbids, errors: errors, satisfiedPermits: permits)
        }
        if !permits.isEmpty { return Response(decision: .allow, reason: permits, errors: errors) }
        return Response(decision: .deny, reason: [], errors: errors)
    }
}

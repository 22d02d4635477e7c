public import Cedar
public import CustosCore
public import Foundation

/// Evaluates requests against the active policy set and a candidate, with the same entities and the
/// same moment, and reports which decisions would change.
public struct DryRun: Sendable {
    public struct Result: Hashable, Sendable {
        public var index: Int
        public var active: PolicyDecision?
        public var candidate: PolicyDecision?
        /// Why the request could not be decided (the same for both sets).
        public var error: String?

        public var changed: Bool { active?.outcome != candidate?.outcome }
    }

    public let pdp: AuthZENPDP

    public init(pdp: AuthZENPDP) {
        self.pdp = pdp
    }

    /// Most requests in one dry run.
    public static let maximumRequests = 10_000

    public func run(_ evaluations: [AuthZENParts], candidate: PolicySet, candidateVersion: Int, at now: Date)
        throws(CustosError) -> [Result]
    {
        guard evaluations.count <= Self.maximumRequests else {
            throw .invalidRequest("at most \(Self.maximumRequests) requests per dry run")
        }
        let active = pdp.service.snapshot
        let proposed = PolicySnapshot(version: candidateVersion, policies: candidate, entities: active.entities)
        return evaluations.enumerated().map { index, parts in
            do throws(CustosError) {
                let evaluation = try parts.evaluation(path: "requests[\(index)].")
                return Result(
                    index: index, active: try pdp.decide(evaluation, in: active, at: now),
                    candidate: try pdp.decide(evaluation, in: proposed, at: now))
            } catch {
                return Result(index: index, error: error.message)
            }
        }
    }
}

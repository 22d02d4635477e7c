public import Cedar
import CustosCore

/// The JSON answers of the AuthZEN endpoints.
public enum AuthZENResponse {
    /// `{"decision": …, "context": {…}}` for one outcome. The context carries the policy-set version
    /// when `always` is set, the approval level of a needs-approval decision, the error of an outcome
    /// that could not be decided, and with `explain` the determining policies and policy errors.
    public static func decision(_ outcome: AuthZENPDP.Outcome, explain: Bool, always: Bool) -> JSONValue {
        var context: [String: JSONValue] = [:]
        if let decision = outcome.decision {
            if always || explain || decision.approval != nil {
                context["policy_version"] = .integer(Int64(decision.policyVersion))
            }
            if let level = decision.approval {
                context["approval"] = .string(level.rawValue)
                context["outcome"] = .string(decision.outcomeName)
            }
            if explain {
                context["outcome"] = .string(decision.outcomeName)
                context["reason"] = .array(decision.reason.map(JSONValue.string))
                context["errors"] = .array(
                    decision.errors.map { .object(["policy": .string($0.policyID), "message": .string($0.message)]) })
            }
        }
        if let error = outcome.error {
            context["error"] = .object(["status": .integer(400), "message": .string(error.message)])
        }
        var body: [String: JSONValue] = ["decision": .bool(outcome.decision?.isAllowed ?? false)]
        if !context.isEmpty { body["context"] = .object(context) }
        return .object(body)
    }

    /// `{"evaluations": [...]}`; items carry a context only when there is something beyond the boolean
    /// to say (an approval, an error, or `explain`). The policy-set version is in the top-level context.
    public static func evaluations(_ outcomes: [AuthZENPDP.Outcome], explain: Bool, policyVersion: Int) -> JSONValue {
        .object([
            "evaluations": .array(outcomes.map { decision($0, explain: explain, always: false) }),
            "context": .object(["policy_version": .integer(Int64(policyVersion))]),
        ])
    }
}

/// A problem the validator found in one policy.
public struct ValidationIssue: Hashable, Sendable, CustomStringConvertible {
    public var policyID: String
    public var message: String
    public var location: SourceLocation?

    public var description: String {
        let at = location.map { " (at \($0))" } ?? ""
        return "policy `\(policyID)`\(at): \(message)"
    }
}

/// The result of validating a policy set: errors make it invalid; warnings do not.
public struct ValidationReport: Sendable {
    public var errors: [ValidationIssue] = []
    /// Policies that can never apply to any request the schema allows.
    public var warnings: [ValidationIssue] = []

    public var isValid: Bool { errors.isEmpty }
}

/// Checks policies against a schema in Cedar's strict mode: every entity type and action used is
/// declared, each action in a scope applies to the scope's principal and resource types, and every
/// policy typechecks to a boolean in every request environment the schema allows.
public struct Validator: Sendable {
    public let schema: Schema
    private let typeAncestors: [EntityType: Set<EntityType>]
    private let actionHierarchy: Entities

    public init(schema: Schema) {
        self.schema = schema
        var ancestors: [EntityType: Set<EntityType>] = [:]
        for name in schema.entityTypes.keys {
            var seen: Set<EntityType> = []
            var frontier = Array(schema.entityTypes[name]?.memberOfTypes ?? [])
            while let next = frontier.popLast() {
                if seen.insert(next).inserted { frontier += schema.entityTypes[next]?.memberOfTypes ?? [] }
            }
            ancestors[name] = seen
        }
        typeAncestors = ancestors
        // The schema's action hierarchy was checked for cycles when it was built.
        actionHierarchy = (try? Entities(schema.actionEntities)) ?? Entities()
    }

    /// Validates every static policy, template and linked policy.
    public func validate(_ policies: PolicySet) -> ValidationReport {
        var report = ValidationReport()
        for policy in policies.policies + policies.templates {
            validate(policy, into: &report)
        }
        return report
    }

    /// Validates one policy or template.
    public func validate(_ policy: Policy, into report: inout ValidationReport) {
        func issue(_ error: CedarError) -> ValidationIssue {
            ValidationIssue(policyID: policy.id, message: error.message, location: error.location ?? policy.location)
        }
        do {
            try checkDeclared(policy)
            try checkActionApplication(policy)
        } catch {
            report.errors.append(issue(error))
            return
        }
        let expression = policy.conditionExpression
        var anyPossible = false
        for environment in environments(for: policy) {
            let checker = Typechecker(
                schema: schema, environment: environment, typeAncestors: typeAncestors,
                actionHierarchy: actionHierarchy)
            do throws(CedarError) {
                let (type, _) = try checker.typeOf(expression.substitutingAction(environment.action), [])
                guard type.isBool else { throw CedarError.validation("the policy has type \(type), not Bool") }
                if type != .bool(.alwaysFalse) { anyPossible = true }
            } catch {
                report.errors.append(issue(error))
                return
            }
        }
        if !anyPossible {
            report.warnings.append(
                issue(.validation("the policy can never apply to a request the schema allows")))
        }
    }

    /// Every (principal type, action, resource type) the schema allows, times the slot types a template may take.
    private func environments(for policy: Policy) -> [RequestEnvironment] {
        var base: [RequestEnvironment] = []
        for action in schema.actions.values.sorted(by: { $0.uid < $1.uid }) {
            for principal in action.principalTypes {
                for resource in action.resourceTypes {
                    base.append(
                        RequestEnvironment(principal: principal, action: action.uid, resource: resource, context: action.context))
                }
            }
        }
        var result = base
        for slot in policy.slots {
            result = result.flatMap { environment in
                schema.entityTypes.keys.sorted().map { type in
                    var copy = environment
                    copy.slots[slot] = type
                    return copy
                }
            }
        }
        return result
    }

    private func checkUID(_ uid: EntityUID) throws(CedarError) {
        if uid.type.isAction {
            guard schema.actions[uid] != nil else { throw .validation("unrecognized action \(uid)") }
            return
        }
        guard let definition = schema.entityTypes[uid.type] else {
            throw .validation("unrecognized entity type `\(uid.type)`")
        }
        if let values = definition.enumeration, !values.contains(uid.id) {
            throw .validation("\(uid) is not one of the values of the enumerated type `\(uid.type)`")
        }
    }

    private func checkDeclared(_ policy: Policy) throws(CedarError) {
        try policy.conditionExpression.forEach { (expr: Expr) throws(CedarError) in
            switch expr {
            case .value(.entity(let uid)): try checkUID(uid)
            case .isType(_, let type, _):
                guard schema.entityTypes[type] != nil else { throw .validation("unrecognized entity type `\(type)`") }
            default: break
            }
        }
    }

    /// Entity types a scope constraint can match.
    private func types(matching constraint: ScopeConstraint) -> Set<EntityType> {
        let all = Set(schema.entityTypes.keys)
        func below(_ ref: EntityReference) -> Set<EntityType> {
            guard case .entity(let uid) = ref else { return all }
            return all.filter { $0 == uid.type || typeAncestors[$0]?.contains(uid.type) == true }
        }
        switch constraint {
        case .any: return all
        case .equal(.entity(let uid)): return [uid.type]
        case .equal(.slot): return all
        case .in(let ref): return below(ref)
        case .is(let type): return [type]
        case .isIn(let type, let ref): return below(ref).contains(type) ? [type] : []
        }
    }

    /// Cedar rejects a policy whose scope names actions none of which apply to the principal and
    /// resource types the scope allows.
    private func checkActionApplication(_ policy: Policy) throws(CedarError) {
        let actions: [ActionDefinition]
        switch policy.action {
        case .any: actions = Array(schema.actions.values)
        case .equal(let uid): actions = schema.actions[uid].map { [$0] } ?? []
        case .in(let uid): actions = schema.actions.values.filter { actionHierarchy.isDescendant($0.uid, of: uid) }
        case .inSet(let uids):
            actions = schema.actions.values.filter { a in uids.contains { actionHierarchy.isDescendant(a.uid, of: $0) } }
        }
        let principals = types(matching: policy.principal)
        let resources = types(matching: policy.resource)
        let applies = actions.contains { action in
            action.principalTypes.contains(where: principals.contains)
                && action.resourceTypes.contains(where: resources.contains)
        }
        if !applies {
            throw .validation("no action in the scope applies to the principal and resource types the scope allows")
        }
    }
}

/// An index of policies by their scope, so a request only evaluates policies whose scope can match it.
///
/// Each policy is filed under one key taken from its scope: an entity named by `principal ==`/`in`,
/// else one named by `resource ==`/`in`, else its action(s), else an `is` type, else "unconstrained".
/// A request gathers the policies filed under its principal, resource and action and their ancestors,
/// their types, and the unconstrained ones. Every policy whose scope matches the request is among
/// them, and a policy whose scope does not match can neither be satisfied nor err, so the index never
/// changes a response. Adding a policy is O(1).
struct ScopeIndex: Sendable {
    private var principalEntities = UIDTable<[Int]>()
    private var resourceEntities = UIDTable<[Int]>()
    private var actions = UIDTable<[Int]>()
    private var principalTypes: [EntityType: [Int]] = [:]
    private var resourceTypes: [EntityType: [Int]] = [:]
    private var unconstrained: [Int] = []
    /// True when some policy is filed under more than one action, so candidates may repeat.
    private var hasMultiKeyPolicies = false

    private static func entity(_ constraint: ScopeConstraint) -> EntityUID? {
        switch constraint {
        case .equal(.entity(let uid)), .in(.entity(let uid)), .isIn(_, .entity(let uid)): uid
        default: nil
        }
    }

    private static func type(_ constraint: ScopeConstraint) -> EntityType? {
        if case .is(let type) = constraint { return type }
        return nil
    }

    /// Files policy number `position` (its index in ``PolicySet/policies``).
    mutating func insert(_ policy: Policy, at position: Int) {
        if case .equal(.entity(let uid)) = policy.principal {
            principalEntities.update(uid, initial: []) { $0.append(position) }
        } else if case .equal(.entity(let uid)) = policy.resource {
            resourceEntities.update(uid, initial: []) { $0.append(position) }
        } else if let uid = Self.entity(policy.principal) {
            principalEntities.update(uid, initial: []) { $0.append(position) }
        } else if let uid = Self.entity(policy.resource) {
            resourceEntities.update(uid, initial: []) { $0.append(position) }
        } else if case .equal(let uid) = policy.action {
            actions.update(uid, initial: []) { $0.append(position) }
        } else if case .in(let uid) = policy.action {
            actions.update(uid, initial: []) { $0.append(position) }
        } else if case .inSet(let uids) = policy.action, !uids.isEmpty {
            let distinct = Set(uids)
            if distinct.count > 1 { hasMultiKeyPolicies = true }
            for uid in distinct { actions.update(uid, initial: []) { $0.append(position) } }
        } else if case .inSet = policy.action {
            // `action in []` matches nothing; it is never a candidate.
        } else if let type = Self.type(policy.principal) {
            principalTypes[type, default: []].append(position)
        } else if let type = Self.type(policy.resource) {
            resourceTypes[type, default: []].append(position)
        } else {
            unconstrained.append(position)
        }
    }

    /// Positions of the policies whose scope may match the request, ascending and without repeats.
    func candidates(for request: Request, entities: Entities) -> [Int] {
        var result = unconstrained
        func gather(_ table: UIDTable<[Int]>, _ uid: EntityUID) {
            guard !table.isEmpty else { return }
            if let hits = table[uid] { result += hits }
            entities.forEachAncestor(of: uid) { ancestor in
                if let hits = table[ancestor] { result += hits }
            }
        }
        gather(principalEntities, request.principal)
        gather(resourceEntities, request.resource)
        gather(actions, request.action)
        if let hits = principalTypes[request.principal.type] { result += hits }
        if let hits = resourceTypes[request.resource.type] { result += hits }
        result.sort()
        if hasMultiKeyPolicies, result.count > 1 {
            var write = 1
            for read in 1..<result.count where result[read] != result[write - 1] {
                result[write] = result[read]
                write += 1
            }
            result.removeLast(result.count - write)
        }
        return result
    }
}

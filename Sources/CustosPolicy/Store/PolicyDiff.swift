public import Cedar

/// What changes between two policy sets, policy by policy (by id; a policy whose text, scope or
/// annotations differ is `changed`). Source positions are ignored.
public struct PolicyDiff: Codable, Hashable, Sendable {
    public var added: [String]
    public var removed: [String]
    public var changed: [String]

    public init(from old: PolicySet, to new: PolicySet) {
        func byID(_ set: PolicySet) -> [String: String] {
            var texts: [String: String] = [:]
            for id in set.order {
                guard var policy = set.policy(id: id) else { continue }
                policy.location = nil
                texts[id] = policy.templateID.map { "linked from \($0): \(policy.cedarText)" } ?? policy.cedarText
            }
            return texts
        }
        let before = byID(old)
        let after = byID(new)
        added = new.order.filter { before[$0] == nil }
        removed = old.order.filter { after[$0] == nil }
        changed = new.order.filter { id in before[id].map { $0 != after[id] } ?? false }
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

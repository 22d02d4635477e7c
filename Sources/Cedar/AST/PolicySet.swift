/// A set of static policies, templates and template-linked policies, each with a unique id.
public struct PolicySet: Sendable {
    /// Static and linked policies, in the order they were added: these are the ones evaluated.
    public private(set) var policies: [Policy] = []
    /// Templates, in the order they were added.
    public private(set) var templates: [Policy] = []
    private var ids: Set<String> = []
    /// Ids of policies and templates in the order they were added.
    public private(set) var order: [String] = []
    /// The evaluated policies by scope, so that a request only looks at those that can apply.
    private(set) var index = ScopeIndex()
    private var positions: [String: (isTemplate: Bool, position: Int)] = [:]

    public init() {}

    /// Parses policy text; policies without `@id` are named `policy0`, `policy1`, … in file order.
    public init(parsing text: String) throws(CedarError) {
        for policy in try Parser.parsePolicies(text) {
            try add(policy)
        }
    }

    public init(policies: [Policy]) throws(CedarError) {
        for policy in policies {
            try add(policy)
        }
    }

    /// Adds a static policy or a template.
    public mutating func add(_ policy: Policy) throws(CedarError) {
        guard ids.insert(policy.id).inserted else {
            throw .link("duplicate policy id `\(policy.id)`")
        }
        order.append(policy.id)
        if policy.isTemplate {
            positions[policy.id] = (true, templates.count)
            templates.append(policy)
        } else {
            positions[policy.id] = (false, policies.count)
            index.insert(policy, at: policies.count)
            policies.append(policy)
        }
    }

    /// Links template `templateID` with slot values, adding the result with id `linkID`.
    @discardableResult
    public mutating func link(template templateID: String, as linkID: String, values: [Slot: EntityUID])
        throws(CedarError) -> Policy
    {
        guard let found = positions[templateID], found.isTemplate else {
            throw .link("no template with id `\(templateID)`")
        }
        let template = templates[found.position]
        let linked = try template.linked(id: linkID, values: values)
        try add(linked)
        return linked
    }

    /// The policy or template with this id.
    public func policy(id: String) -> Policy? {
        guard let found = positions[id] else { return nil }
        return found.isTemplate ? templates[found.position] : policies[found.position]
    }
}

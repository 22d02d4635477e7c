/// `permit` or `forbid`.
public enum Effect: String, Hashable, Sendable {
    case permit, forbid
}

/// The target of a scope constraint: a concrete entity or a template slot.
public enum EntityReference: Hashable, Sendable {
    case entity(EntityUID)
    case slot(Slot)
}

/// The `principal` or `resource` part of a policy scope.
public enum ScopeConstraint: Hashable, Sendable {
    case any
    case equal(EntityReference)
    case `in`(EntityReference)
    case `is`(EntityType)
    case isIn(EntityType, EntityReference)

    var slot: Slot? {
        switch self {
        case .equal(.slot(let s)), .in(.slot(let s)), .isIn(_, .slot(let s)): s
        default: nil
        }
    }
}

/// The `action` part of a policy scope.
public enum ActionConstraint: Hashable, Sendable {
    case any
    case equal(EntityUID)
    case `in`(EntityUID)
    case inSet([EntityUID])
}

/// A `when` or `unless` clause.
public struct Condition: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case when, unless
    }

    public var kind: Kind
    public var body: Expr

    public init(kind: Kind, body: Expr) {
        self.kind = kind
        self.body = body
    }
}

/// One annotation, `@name("value")`; a bare `@name` has an empty value.
public struct Annotation: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A static policy, a template (with `?principal` / `?resource` slots) or a template-linked policy.
public struct Policy: Hashable, Sendable {
    /// The fields, shared between copies until one is written (see ``Shared``).
    private var shared: Shared<Fields>

    private struct Fields: Hashable, Sendable {
        var id: String
        var effect: Effect
        var principal: ScopeConstraint
        var action: ActionConstraint
        var resource: ScopeConstraint
        var conditions: [Condition]
        var annotations: [Annotation]
        var location: SourceLocation?
        var templateID: String?
    }

    public var id: String {
        get { shared.fields.id }
        set { shared.update { $0.id = newValue } }
    }
    public var effect: Effect {
        get { shared.fields.effect }
        set { shared.update { $0.effect = newValue } }
    }
    public var principal: ScopeConstraint {
        get { shared.fields.principal }
        set { shared.update { $0.principal = newValue } }
    }
    public var action: ActionConstraint {
        get { shared.fields.action }
        set { shared.update { $0.action = newValue } }
    }
    public var resource: ScopeConstraint {
        get { shared.fields.resource }
        set { shared.update { $0.resource = newValue } }
    }
    public var conditions: [Condition] {
        get { shared.fields.conditions }
        set { shared.update { $0.conditions = newValue } }
    }
    public var annotations: [Annotation] {
        get { shared.fields.annotations }
        set { shared.update { $0.annotations = newValue } }
    }
    /// Where the policy starts in its source text, if it was parsed.
    public var location: SourceLocation? {
        get { shared.fields.location }
        set { shared.update { $0.location = newValue } }
    }
    /// For a linked policy, the id of the template it was linked from.
    public var templateID: String? {
        get { shared.fields.templateID }
        set { shared.update { $0.templateID = newValue } }
    }

    public init(
        id: String, effect: Effect, principal: ScopeConstraint = .any, action: ActionConstraint = .any,
        resource: ScopeConstraint = .any, conditions: [Condition] = [], annotations: [Annotation] = [],
        location: SourceLocation? = nil, templateID: String? = nil
    ) {
        shared = Shared(
            Fields(
                id: id, effect: effect, principal: principal, action: action, resource: resource, conditions: conditions,
                annotations: annotations, location: location, templateID: templateID))
    }

    /// The slots this policy's scope uses; a policy with slots is a template.
    public var slots: [Slot] { [principal.slot, resource.slot].compactMap { $0 } }

    public var isTemplate: Bool { !slots.isEmpty }

    /// The value of annotation `name`, if present.
    public func annotation(_ name: String) -> String? {
        annotations.first { $0.name == name }?.value
    }

    /// Fills the template's slots, giving a policy with id `newID`.
    public func linked(id newID: String, values: [Slot: EntityUID]) throws(CedarError) -> Policy {
        guard isTemplate else { throw .link("policy `\(id)` is not a template") }
        for slot in slots where values[slot] == nil {
            throw .link("template `\(id)` needs a value for \(slot.rawValue)")
        }
        for slot in values.keys where !slots.contains(slot) {
            throw .link("template `\(id)` has no slot \(slot.rawValue)")
        }
        func fill(_ constraint: ScopeConstraint) -> ScopeConstraint {
            func fillRef(_ ref: EntityReference) -> EntityReference {
                if case .slot(let s) = ref, let uid = values[s] { return .entity(uid) }
                return ref
            }
            switch constraint {
            case .any, .is: return constraint
            case .equal(let r): return .equal(fillRef(r))
            case .in(let r): return .in(fillRef(r))
            case .isIn(let t, let r): return .isIn(t, fillRef(r))
            }
        }
        var policy = self
        policy.id = newID
        policy.principal = fill(principal)
        policy.resource = fill(resource)
        policy.templateID = id
        return policy
    }
}

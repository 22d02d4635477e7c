/// What a schema says about one entity type.
public struct EntityTypeDefinition: Hashable, Sendable {
    public var name: EntityType
    /// Types that entities of this type may be members of (directly).
    public var memberOfTypes: Set<EntityType>
    public var shape: RecordType
    /// The type of every tag value, when entities of this type may carry tags.
    public var tags: SchemaType?
    /// For enumerated entity types, the only ids allowed.
    public var enumeration: [String]?

    public init(
        name: EntityType, memberOfTypes: Set<EntityType> = [], shape: RecordType = RecordType(),
        tags: SchemaType? = nil, enumeration: [String]? = nil
    ) {
        self.name = name
        self.memberOfTypes = memberOfTypes
        self.shape = shape
        self.tags = tags
        self.enumeration = enumeration
    }
}

/// What a schema says about one action.
public struct ActionDefinition: Hashable, Sendable {
    public var uid: EntityUID
    /// Action groups this action belongs to (directly).
    public var memberOf: Set<EntityUID>
    /// Principal types the action applies to; empty means it applies to none.
    public var principalTypes: [EntityType]
    public var resourceTypes: [EntityType]
    public var context: RecordType

    public init(
        uid: EntityUID, memberOf: Set<EntityUID> = [], principalTypes: [EntityType] = [],
        resourceTypes: [EntityType] = [], context: RecordType = RecordType()
    ) {
        self.uid = uid
        self.memberOf = memberOf
        self.principalTypes = principalTypes
        self.resourceTypes = resourceTypes
        self.context = context
    }
}

/// A Cedar schema: the entity types, their attributes and hierarchy, and the actions with what they apply to.
///
/// Read one from Cedar schema syntax with ``init(cedarSchema:)`` or from JSON with ``init(json:)``.
public struct Schema: Hashable, Sendable {
    public var entityTypes: [EntityType: EntityTypeDefinition]
    public var actions: [EntityUID: ActionDefinition]

    public init(entityTypes: [EntityType: EntityTypeDefinition] = [:], actions: [EntityUID: ActionDefinition] = [:]) {
        self.entityTypes = entityTypes
        self.actions = actions
    }

    /// The action entities the schema defines, with their group memberships as parents.
    public var actionEntities: [Entity] {
        actions.values.map { Entity(uid: $0.uid, parents: $0.memberOf) }
    }

    /// Checks references between definitions: member-of types, action groups and attribute types
    /// must all be declared.
    func checkReferences() throws(CedarError) {
        func check(_ type: SchemaType, in context: String) throws(CedarError) {
            switch type {
            case .entity(let name):
                guard entityTypes[name] != nil else {
                    throw .schema("\(context) refers to the undeclared entity type `\(name)`")
                }
            case .set(let element): try check(element, in: context)
            case .record(let record):
                for attribute in record.attributes.values { try check(attribute.type, in: context) }
            default: break
            }
        }
        for definition in entityTypes.values {
            for parent in definition.memberOfTypes where entityTypes[parent] == nil && !parent.isAction {
                throw .schema("entity type `\(definition.name)` is a member of the undeclared type `\(parent)`")
            }
            try check(.record(definition.shape), in: "entity type `\(definition.name)`")
            if let tags = definition.tags { try check(tags, in: "the tags of `\(definition.name)`") }
        }
        for action in actions.values {
            for group in action.memberOf where actions[group] == nil {
                throw .schema("action `\(action.uid)` is a member of the undeclared action `\(group)`")
            }
            for type in action.principalTypes + action.resourceTypes where entityTypes[type] == nil {
                throw .schema("action `\(action.uid)` applies to the undeclared entity type `\(type)`")
            }
            try check(.record(action.context), in: "the context of `\(action.uid)`")
        }
        _ = try Entities(actionEntities)  // rejects cycles among action groups
    }
}

/// A type as written in a schema, before names are resolved.
indirect enum WrittenType: Sendable {
    /// A name: a common type, an entity type or a builtin, resolved by Cedar's rules.
    case name(String)
    /// A name the JSON format marks as an entity type.
    case entity(String)
    /// A name the JSON format marks as an extension type.
    case `extension`(String)
    case set(WrittenType)
    case record([String: WrittenAttribute], additional: Bool)
}

struct WrittenAttribute: Sendable {
    var type: WrittenType
    var isRequired: Bool
}

/// Declarations collected from schema text or JSON, resolved into a ``Schema`` once all are known.
struct SchemaDeclarations {
    struct EntityDeclaration {
        var namespace: String
        var name: String
        var memberOf: [String]
        var shape: WrittenType?
        var tags: WrittenType?
        var enumeration: [String]?
    }

    struct ActionDeclaration {
        var namespace: String
        var id: String
        /// Groups: `(type, id)` where a nil type means the action type of the same namespace.
        var memberOf: [(type: String?, id: String)]
        var principals: [String]
        var resources: [String]
        var context: WrittenType?
    }

    var commonTypes: [String: (namespace: String, type: WrittenType)] = [:]
    var entities: [EntityDeclaration] = []
    var actions: [ActionDeclaration] = []

    static func qualify(_ name: String, in namespace: String) -> String {
        namespace.isEmpty ? name : "\(namespace)::\(name)"
    }

    static let primitives: [String: SchemaType] = ["Long": .long, "String": .string, "Bool": .bool, "Boolean": .bool]

    mutating func addCommonType(_ name: String, in namespace: String, _ type: WrittenType) throws(CedarError) {
        let qualified = Self.qualify(name, in: namespace)
        guard Self.primitives[name] == nil, ExtensionType(rawValue: name) == nil, name != "Set", name != "Record",
            name != "Entity", name != "Extension"
        else { throw .schema("`\(name)` is a builtin type name and cannot be redeclared") }
        guard commonTypes[qualified] == nil else { throw .schema("common type `\(qualified)` is declared twice") }
        commonTypes[qualified] = (namespace, type)
    }

    func resolve() throws(CedarError) -> Schema {
        let entityNames = Set(entities.map { Self.qualify($0.name, in: $0.namespace) })
        var schema = Schema()

        func entityType(_ name: String, in namespace: String) throws(CedarError) -> EntityType {
            if name.contains("::") { return EntityType(name) }
            let local = Self.qualify(name, in: namespace)
            if entityNames.contains(local) { return EntityType(local) }
            if entityNames.contains(name) { return EntityType(name) }
            throw .schema("undeclared entity type `\(name)`")
        }

        func resolve(_ type: WrittenType, in namespace: String, depth: Int = 0) throws(CedarError) -> SchemaType {
            guard depth < 64 else { throw .schema("common types refer to each other in a cycle") }
            switch type {
            case .set(let element):
                return .set(try resolve(element, in: namespace, depth: depth + 1))
            case .record(let attributes, let additional):
                var resolved: [String: AttributeType] = [:]
                for (key, attribute) in attributes {
                    resolved[key] = AttributeType(
                        type: try resolve(attribute.type, in: namespace, depth: depth + 1),
                        isRequired: attribute.isRequired)
                }
                return .record(RecordType(attributes: resolved, additionalAttributes: additional))
            case .entity(let name):
                return .entity(try entityType(name, in: namespace))
            case .extension(let name):
                guard let ext = ExtensionType(rawValue: name) else { throw .schema("unknown extension type `\(name)`") }
                return .extension(ext)
            case .name(let name):
                let bare = name.hasPrefix("__cedar::") ? String(name.dropFirst("__cedar::".count)) : name
                if !name.hasPrefix("__cedar::") {
                    for candidate in name.contains("::") ? [name] : [Self.qualify(name, in: namespace), name] {
                        if let common = commonTypes[candidate] {
                            return try resolve(common.type, in: common.namespace, depth: depth + 1)
                        }
                        if entityNames.contains(candidate) { return .entity(EntityType(candidate)) }
                    }
                }
                if let primitive = Self.primitives[bare] { return primitive }
                if let ext = ExtensionType(rawValue: bare) { return .extension(ext) }
                throw .schema("undeclared type `\(name)`")
            }
        }

        func record(_ type: WrittenType?, in namespace: String, what: String) throws(CedarError) -> RecordType {
            guard let type else { return RecordType() }
            guard case .record(let record) = try resolve(type, in: namespace) else {
                throw .schema("\(what) must be a record type")
            }
            return record
        }

        for declaration in entities {
            let name = EntityType(Self.qualify(declaration.name, in: declaration.namespace))
            guard schema.entityTypes[name] == nil else { throw .schema("entity type `\(name)` is declared twice") }
            var memberOf: Set<EntityType> = []
            for parent in declaration.memberOf {
                memberOf.insert(try entityType(parent, in: declaration.namespace))
            }
            schema.entityTypes[name] = EntityTypeDefinition(
                name: name, memberOfTypes: memberOf,
                shape: try record(declaration.shape, in: declaration.namespace, what: "the shape of `\(name)`"),
                tags: try declaration.tags.map { (t: WrittenType) throws(CedarError) in
                    try resolve(t, in: declaration.namespace)
                },
                enumeration: declaration.enumeration)
        }
        for declaration in actions {
            let actionType = EntityType(Self.qualify("Action", in: declaration.namespace))
            let uid = EntityUID(type: actionType, id: declaration.id)
            guard schema.actions[uid] == nil else { throw .schema("action `\(uid)` is declared twice") }
            var groups: Set<EntityUID> = []
            for group in declaration.memberOf {
                groups.insert(EntityUID(type: group.type.map { EntityType($0) } ?? actionType, id: group.id))
            }
            var principals: [EntityType] = []
            for p in declaration.principals { principals.append(try entityType(p, in: declaration.namespace)) }
            var resources: [EntityType] = []
            for r in declaration.resources { resources.append(try entityType(r, in: declaration.namespace)) }
            schema.actions[uid] = ActionDefinition(
                uid: uid, memberOf: groups, principalTypes: principals, resourceTypes: resources,
                context: try record(declaration.context, in: declaration.namespace, what: "the context of `\(uid)`"))
        }
        try schema.checkReferences()
        return schema
    }
}

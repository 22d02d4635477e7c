extension Schema {
    /// Parses a schema in Cedar's JSON schema format: `{ "Namespace": { "entityTypes": …, "actions": …,
    /// "commonTypes": … } }`.
    public init(json: JSONValue) throws(CedarError) {
        guard case .object(let namespaces) = json else { throw .schema("a JSON schema must be an object") }
        var declarations = SchemaDeclarations()
        for (namespace, body) in namespaces.sorted(by: { $0.key < $1.key }) {
            guard case .object(let fields) = body else {
                throw .schema("namespace `\(namespace)` must be an object")
            }
            for key in fields.keys where !["entityTypes", "actions", "commonTypes", "annotations"].contains(key) {
                throw .schema("unknown field `\(key)` in namespace `\(namespace)`")
            }
            if case .object(let common)? = fields["commonTypes"] {
                for (name, type) in common {
                    try declarations.addCommonType(name, in: namespace, try Self.writtenType(type))
                }
            }
            guard case .object(let entityTypes)? = fields["entityTypes"] ?? .object([:]) else {
                throw .schema("`entityTypes` must be an object")
            }
            for (name, definition) in entityTypes {
                declarations.entities.append(try Self.entityDeclaration(name, definition, in: namespace))
            }
            guard case .object(let actions)? = fields["actions"] ?? .object([:]) else {
                throw .schema("`actions` must be an object")
            }
            for (id, definition) in actions {
                declarations.actions.append(try Self.actionDeclaration(id, definition, in: namespace))
            }
        }
        self = try declarations.resolve()
    }

    private static func strings(_ json: JSONValue?, _ what: String) throws(CedarError) -> [String] {
        guard let json else { return [] }
        guard case .array(let items) = json else { throw .schema("\(what) must be an array of strings") }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw .schema("\(what) must be an array of strings") }
            out.append(s)
        }
        return out
    }

    private static func entityDeclaration(_ name: String, _ json: JSONValue, in namespace: String) throws(CedarError)
        -> SchemaDeclarations.EntityDeclaration
    {
        guard case .object = json else { throw .schema("entity type `\(name)` must be an object") }
        var enumeration: [String]?
        if json["enum"] != nil {
            enumeration = try strings(json["enum"], "`enum` of `\(name)`")
        }
        return .init(
            namespace: namespace, name: name, memberOf: try strings(json["memberOfTypes"], "`memberOfTypes`"),
            shape: try json["shape"].map { (s: JSONValue) throws(CedarError) in try writtenType(s) },
            tags: try json["tags"].map { (s: JSONValue) throws(CedarError) in try writtenType(s) },
            enumeration: enumeration)
    }

    private static func actionDeclaration(_ id: String, _ json: JSONValue, in namespace: String) throws(CedarError)
        -> SchemaDeclarations.ActionDeclaration
    {
        guard case .object = json else { throw .schema("action `\(id)` must be an object") }
        if json["attributes"] != nil { throw .schema("action attributes are not supported in Cedar 4 schemas") }
        var memberOf: [(type: String?, id: String)] = []
        if case .array(let groups)? = json["memberOf"] {
            for group in groups {
                guard let groupID = group["id"]?.stringValue else {
                    throw .schema("`memberOf` of action `\(id)` needs objects with an `id`")
                }
                memberOf.append((group["type"]?.stringValue, groupID))
            }
        }
        let appliesTo = json["appliesTo"]
        return .init(
            namespace: namespace, id: id, memberOf: memberOf,
            principals: try strings(appliesTo?["principalTypes"], "`principalTypes`"),
            resources: try strings(appliesTo?["resourceTypes"], "`resourceTypes`"),
            context: try appliesTo?["context"].map { (c: JSONValue) throws(CedarError) in try writtenType(c) })
    }

    private static func writtenType(_ json: JSONValue) throws(CedarError) -> WrittenType {
        guard case .string(let type)? = json["type"] else { throw .schema("a type needs a `type` field") }
        switch type {
        case "Set":
            guard let element = json["element"] else { throw .schema("a `Set` type needs an `element`") }
            return .set(try writtenType(element))
        case "Record":
            var attributes: [String: WrittenAttribute] = [:]
            if case .object(let fields)? = json["attributes"] {
                for (name, attribute) in fields {
                    var required = true
                    if case .bool(let r)? = attribute["required"] { required = r }
                    attributes[name] = WrittenAttribute(type: try writtenType(attribute), isRequired: required)
                }
            }
            var additional = false
            if case .bool(let a)? = json["additionalAttributes"] { additional = a }
            return .record(attributes, additional: additional)
        case "Entity":
            guard let name = json["name"]?.stringValue else { throw .schema("an `Entity` type needs a `name`") }
            return .entity(name)
        case "Extension":
            guard let name = json["name"]?.stringValue else { throw .schema("an `Extension` type needs a `name`") }
            return .extension(name)
        case "EntityOrCommon":
            guard let name = json["name"]?.stringValue else { throw .schema("an `EntityOrCommon` type needs a `name`") }
            return .name(name)
        default:
            return .name(type)
        }
    }
}

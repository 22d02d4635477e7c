extension Request {
    /// Reads `{"principal": uid, "action": uid, "resource": uid, "context": {…}}`. With a schema, the
    /// request is checked against the action's declaration and the context is read by its declared types.
    public init(json: JSONValue, schema: Schema? = nil) throws(CedarError) {
        guard case .object = json else { throw .json("a request must be a JSON object") }
        guard let p = json["principal"], let a = json["action"], let r = json["resource"] else {
            throw .json("a request needs `principal`, `action` and `resource`")
        }
        let principal = try EntityUID(json: p)
        let action = try EntityUID(json: a)
        let resource = try EntityUID(json: r)
        var contextFields: [String: JSONValue] = [:]
        switch json["context"] {
        case nil, .null?: break
        case .object(let fields)?: contextFields = fields
        case let other?: throw .json("`context` must be an object, found \(other.kindName)")
        }
        let context: [String: Value]
        if let schema {
            guard let definition = schema.actions[action] else {
                throw .validation("request's action \(action) is not declared in the schema")
            }
            guard definition.principalTypes.contains(principal.type) else {
                throw .validation("principal type `\(principal.type)` is not valid for action \(action)")
            }
            guard definition.resourceTypes.contains(resource.type) else {
                throw .validation("resource type `\(resource.type)` is not valid for action \(action)")
            }
            for uid in [principal, resource] {
                if let allowed = schema.entityTypes[uid.type]?.enumeration, !allowed.contains(uid.id) {
                    throw .validation("\(uid) is not one of the values of the enumerated type `\(uid.type)`")
                }
            }
            context = try ValueReader.record(contextFields, type: definition.context, path: "context")
        } else {
            var values: [String: Value] = [:]
            for (key, field) in contextFields { values[key] = try ValueReader.untyped(field, path: "context.\(key)") }
            context = values
        }
        self.init(principal: principal, action: action, resource: resource, context: context)
    }
}

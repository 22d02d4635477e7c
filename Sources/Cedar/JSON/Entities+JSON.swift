extension Entity {
    /// Reads `{"uid": …, "attrs": {…}, "parents": [uid…], "tags": {…}}`, checked against the schema if given.
    public init(json: JSONValue, schema: Schema? = nil) throws(CedarError) {
        guard case .object = json, let uidJSON = json["uid"] else { throw .json("an entity needs a `uid`") }
        let uid = try EntityUID(json: uidJSON)
        var parents: Set<EntityUID> = []
        if let parentsJSON = json["parents"] {
            guard case .array(let items) = parentsJSON else { throw .json("`parents` of \(uid) must be an array") }
            for item in items { parents.insert(try EntityUID(json: item)) }
        }
        var attrFields: [String: JSONValue] = [:]
        if let attrs = json["attrs"] {
            guard case .object(let fields) = attrs else { throw .json("`attrs` of \(uid) must be an object") }
            attrFields = fields
        }
        var tagFields: [String: JSONValue] = [:]
        if let tags = json["tags"] {
            guard case .object(let fields) = tags else { throw .json("`tags` of \(uid) must be an object") }
            tagFields = fields
        }
        var attributes: [String: Value] = [:]
        var tags: [String: Value] = [:]
        if let schema, !uid.type.isAction {
            guard let definition = schema.entityTypes[uid.type] else {
                throw .entity("entity \(uid) has type `\(uid.type)`, which the schema does not declare")
            }
            if let allowed = definition.enumeration, !allowed.contains(uid.id) {
                throw .entity("entity \(uid) is not one of the values of the enumerated type `\(uid.type)`")
            }
            for parent in parents where !definition.memberOfTypes.contains(parent.type) {
                throw .entity("\(uid) cannot have a parent of type `\(parent.type)` according to the schema")
            }
            attributes = try ValueReader.record(attrFields, type: definition.shape, path: "\(uid)")
            if !tagFields.isEmpty {
                guard let tagType = definition.tags else {
                    throw .entity("\(uid) has tags, but the schema declares none for `\(uid.type)`")
                }
                for (key, field) in tagFields {
                    tags[key] = try ValueReader.read(field, expected: tagType, path: "\(uid) tag `\(key)`")
                }
            }
        } else {
            for (key, field) in attrFields { attributes[key] = try ValueReader.untyped(field, path: "\(uid).\(key)") }
            for (key, field) in tagFields { tags[key] = try ValueReader.untyped(field, path: "\(uid) tag `\(key)`") }
        }
        self.init(uid: uid, attributes: attributes, parents: parents, tags: tags)
    }
}

extension Entities {
    /// Reads a JSON array of entities. With a schema, attributes are read by their declared types and
    /// the schema's action entities are added (an action listed in the JSON must match the schema).
    public init(json: JSONValue, schema: Schema? = nil) throws(CedarError) {
        guard case .array(let items) = json else { throw .json("entities must be a JSON array") }
        let list = try items.map { (item) throws(CedarError) in try Entity(json: item, schema: schema) }
        try self.init(list, schema: schema)
    }

    /// Reads a JSON array of entities straight from its UTF-8 bytes, as ``init(json:schema:)`` does,
    /// but in parallel and without building the whole document in memory first: the way to load
    /// large entity files.
    public init(jsonData bytes: some Collection<UInt8>, schema: Schema? = nil) throws(CedarError) {
        let list = try JSONArrayReader.map(
            bytes,
            notAnArray: { (_) throws(CedarError) -> [Entity] in throw .json("entities must be a JSON array") },
            { (item) throws(CedarError) in try Entity(json: item, schema: schema) }
        )
        try self.init(list, schema: schema)
    }

    private init(_ list: [Entity], schema: Schema?) throws(CedarError) {
        guard let schema else {
            try self.init(list)
            return
        }
        var list = list
        var listed: [EntityUID: Entity] = [:]
        for entity in list where entity.uid.type.isAction { listed[entity.uid] = entity }
        for (uid, entity) in listed {
            guard let declared = schema.actions[uid] else {
                throw .entity("action \(uid) is not declared in the schema")
            }
            guard entity.parents == declared.memberOf, entity.attributes.isEmpty else {
                throw .entity("action \(uid) in the entities differs from its declaration in the schema")
            }
        }
        list.removeAll { $0.uid.type.isAction }
        list += schema.actionEntities
        try self.init(list)
    }
}

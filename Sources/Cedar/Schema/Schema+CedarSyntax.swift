extension Schema {
    /// Parses a schema written in Cedar schema syntax (`.cedarschema`).
    public init(cedarSchema text: String) throws(CedarError) {
        var parser = try Parser(text)
        var declarations = SchemaDeclarations()
        while !parser.atEnd {
            _ = try parser.annotations()
            if parser.acceptKeyword("namespace") {
                let namespace = try parser.path().joined(separator: "::")
                try parser.expect("{")
                while !parser.current.isSymbol("}") {
                    try parser.schemaDeclaration(in: namespace, into: &declarations)
                }
                try parser.expect("}")
            } else {
                try parser.schemaDeclaration(in: "", into: &declarations)
            }
        }
        self = try declarations.resolve()
    }
}

extension Parser {
    fileprivate mutating func schemaDeclaration(in namespace: String, into declarations: inout SchemaDeclarations)
        throws(CedarError)
    {
        _ = try annotations()
        if acceptKeyword("entity") {
            try entityDeclaration(in: namespace, into: &declarations)
        } else if acceptKeyword("action") {
            try actionDeclaration(in: namespace, into: &declarations)
        } else if acceptKeyword("type") {
            let at = location
            let name = try identifier("a type name")
            try expect("=")
            let type = try writtenType()
            try expect(";")
            do {
                try declarations.addCommonType(name, in: namespace, type)
            } catch {
                throw .schema(error.message, at: at)
            }
        } else {
            throw unexpected("`entity`, `action`, `type` or `namespace`")
        }
    }

    private mutating func nameList() throws(CedarError) -> [String] {
        var names = [try schemaName()]
        while accept(",") { names.append(try schemaName()) }
        return names
    }

    /// An identifier or a string.
    private mutating func schemaName() throws(CedarError) -> String {
        if case .string = current.kind { return try string() }
        return try identifier("a name")
    }

    private mutating func typeList() throws(CedarError) -> [String] {
        if accept("[") {
            var names: [String] = []
            while !current.isSymbol("]") {
                names.append(try path().joined(separator: "::"))
                if !accept(",") { break }
            }
            try expect("]")
            return names
        }
        return [try path().joined(separator: "::")]
    }

    private mutating func entityDeclaration(in namespace: String, into declarations: inout SchemaDeclarations)
        throws(CedarError)
    {
        var names = [try identifier("an entity type name")]
        while accept(",") { names.append(try identifier("an entity type name")) }
        var memberOf: [String] = []
        var shape: WrittenType?
        var tags: WrittenType?
        var enumeration: [String]?
        if acceptKeyword("enum") {
            try expect("[")
            var values: [String] = []
            while !current.isSymbol("]") {
                values.append(try string("an entity id string"))
                if !accept(",") { break }
            }
            try expect("]")
            guard !values.isEmpty else { throw .schema("an enumerated entity type needs at least one value", at: location) }
            enumeration = values
        } else {
            if acceptKeyword("in") { memberOf = try typeList() }
            _ = accept("=")
            if current.isSymbol("{") { shape = try recordType() }
            if acceptKeyword("tags") { tags = try writtenType() }
        }
        try expect(";")
        for name in names {
            declarations.entities.append(
                .init(namespace: namespace, name: name, memberOf: memberOf, shape: shape, tags: tags,
                      enumeration: enumeration))
        }
    }

    private mutating func actionReference() throws(CedarError) -> (type: String?, id: String) {
        if case .string = current.kind { return (nil, try string()) }
        let components = try path()
        if accept("::") { return (components.joined(separator: "::"), try string("an action id string")) }
        guard components.count == 1 else { throw unexpected("an action reference") }
        return (nil, components[0])
    }

    private mutating func actionDeclaration(in namespace: String, into declarations: inout SchemaDeclarations)
        throws(CedarError)
    {
        let ids = try nameList()
        var memberOf: [(type: String?, id: String)] = []
        if acceptKeyword("in") {
            if accept("[") {
                while !current.isSymbol("]") {
                    memberOf.append(try actionReference())
                    if !accept(",") { break }
                }
                try expect("]")
            } else {
                memberOf.append(try actionReference())
            }
        }
        var principals: [String] = []
        var resources: [String] = []
        var context: WrittenType?
        if acceptKeyword("appliesTo") {
            try expect("{")
            var seen: Set<String> = []
            while !current.isSymbol("}") {
                let at = location
                let key = try identifier("`principal`, `resource` or `context`")
                guard seen.insert(key).inserted else { throw .schema("`\(key)` is given twice", at: at) }
                try expect(":")
                switch key {
                case "principal": principals = try typeList()
                case "resource": resources = try typeList()
                case "context": context = try writtenType()
                default: throw .schema("expected `principal`, `resource` or `context`, found `\(key)`", at: at)
                }
                if !accept(",") { break }
            }
            try expect("}")
        }
        if acceptKeyword("attributes") {
            throw .schema("action attributes are not supported in Cedar 4 schemas", at: location)
        }
        try expect(";")
        for id in ids {
            declarations.actions.append(
                .init(namespace: namespace, id: id, memberOf: memberOf, principals: principals,
                      resources: resources, context: context))
        }
    }

    private mutating func writtenType() throws(CedarError) -> WrittenType {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw .schema("type nested more than \(Self.maximumDepth) levels deep", at: location)
        }
        if current.isSymbol("{") { return try recordType() }
        let at = location
        let name = try path().joined(separator: "::")
        if name == "Set" {
            try expect("<")
            let element = try writtenType()
            try expect(">")
            return .set(element)
        }
        if name.isEmpty { throw .schema("expected a type", at: at) }
        return .name(name)
    }

    private mutating func recordType() throws(CedarError) -> WrittenType {
        try expect("{")
        var attributes: [String: WrittenAttribute] = [:]
        while !current.isSymbol("}") {
            _ = try annotations()
            let at = location
            let name = try schemaName()
            var required = true
            if case .slot("?") = current.kind {
                advance()
                required = false
            }
            try expect(":")
            let type = try writtenType()
            guard attributes[name] == nil else { throw .schema("attribute `\(name)` is declared twice", at: at) }
            attributes[name] = WrittenAttribute(type: type, isRequired: required)
            if !accept(",") { break }
        }
        try expect("}")
        return .record(attributes, additional: false)
    }
}

/// A recursive-descent parser over `Token`s, shared by policy text and schema text.
struct Parser {
    var tokens: [Token]
    var position = 0
    /// Nesting depth of expressions; bounded so that hostile input cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 200

    init(_ text: String) throws(CedarError) {
        tokens = try Lexer.tokenize(text)
    }

    var current: Token { tokens[position] }
    var location: SourceLocation { current.location }
    var atEnd: Bool {
        if case .end = current.kind { return true }
        return false
    }

    mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    func peek(_ ahead: Int) -> Token {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    func unexpected(_ expected: String) -> CedarError {
        .parse("expected \(expected), found \(current.describe)", at: location)
    }

    mutating func accept(_ symbol: String) -> Bool {
        if current.isSymbol(symbol) {
            advance()
            return true
        }
        return false
    }

    mutating func expect(_ symbol: String) throws(CedarError) {
        guard accept(symbol) else { throw unexpected("`\(symbol)`") }
    }

    mutating func acceptKeyword(_ word: String) -> Bool {
        if current.isIdentifier(word) {
            advance()
            return true
        }
        return false
    }

    mutating func expectKeyword(_ word: String) throws(CedarError) {
        guard acceptKeyword(word) else { throw unexpected("`\(word)`") }
    }

    mutating func identifier(_ what: String = "an identifier") throws(CedarError) -> String {
        guard case .identifier(let name) = current.kind else { throw unexpected(what) }
        advance()
        return name
    }

    mutating func string(_ what: String = "a string literal") throws(CedarError) -> String {
        guard case .string(let raw) = current.kind else { throw unexpected(what) }
        let at = location
        advance()
        return try Unescape.string(raw, at: at)
    }

    /// `Ident ('::' Ident)*`, stopping before a `::` that is followed by a string (an entity id).
    mutating func path() throws(CedarError) -> [String] {
        var components = [try identifier()]
        while current.isSymbol("::"), case .identifier = peek(1).kind {
            advance()
            components.append(try identifier())
        }
        return components
    }

    /// Words that can never name a variable, attribute in `.name` form, or type.
    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]
}

extension Parser {
    /// Parses a whole policy file; ids default to `policyN` by position unless `@id` is given.
    static func parsePolicies(_ text: String) throws(CedarError) -> [Policy] {
        var parser = try Parser(text)
        var policies: [Policy] = []
        while !parser.atEnd {
            policies.append(try parser.policy(defaultID: "policy\(policies.count)"))
        }
        return policies
    }

    /// Parses exactly one expression (no trailing input).
    static func parseExpression(_ text: String) throws(CedarError) -> Expr {
        var parser = try Parser(text)
        let expr = try parser.expression()
        guard parser.atEnd else { throw parser.unexpected("end of expression") }
        return expr
    }

    mutating func annotations() throws(CedarError) -> [Annotation] {
        var annotations: [Annotation] = []
        while current.isSymbol("@") {
            let at = location
            advance()
            let name = try identifier("an annotation name")
            var value = ""
            if accept("(") {
                value = try string("an annotation value")
                try expect(")")
            }
            guard !annotations.contains(where: { $0.name == name }) else {
                throw .parse("duplicate annotation `@\(name)`", at: at)
            }
            annotations.append(Annotation(name: name, value: value))
        }
        return annotations
    }

    mutating func policy(defaultID: String) throws(CedarError) -> Policy {
        let annotations = try annotations()
        let start = location
        let effect: Effect
        if acceptKeyword("permit") {
            effect = .permit
        } else if acceptKeyword("forbid") {
            effect = .forbid
        } else {
            throw unexpected("`permit` or `forbid`")
        }
        try expect("(")
        let principal = try scopeConstraint(variable: "principal", slot: .principal)
        try expect(",")
        let action = try actionConstraint()
        try expect(",")
        let resource = try scopeConstraint(variable: "resource", slot: .resource)
        guard accept(")") else { throw unexpected("`)` after the policy scope") }
        var conditions: [Condition] = []
        while true {
            let kind: Condition.Kind
            if acceptKeyword("when") {
                kind = .when
            } else if acceptKeyword("unless") {
                kind = .unless
            } else {
                break
            }
            try expect("{")
            if current.isSymbol("}") {
                throw .parse("a `\(kind.rawValue)` clause needs an expression", at: location)
            }
            let body = try expression()
            try expect("}")
            conditions.append(Condition(kind: kind, body: body))
        }
        guard accept(";") else { throw unexpected("`;` at the end of the policy") }
        return Policy(
            id: annotations.first { $0.name == "id" }?.value ?? defaultID, effect: effect, principal: principal,
            action: action, resource: resource, conditions: conditions, annotations: annotations, location: start)
    }

    private mutating func entityReference(slot: Slot) throws(CedarError) -> EntityReference {
        if case .slot(let name) = current.kind {
            guard name == slot.rawValue else {
                throw .parse("expected \(slot.rawValue) here, found `\(name)`", at: location)
            }
            advance()
            return .slot(slot)
        }
        return .entity(try entityUID())
    }

    private mutating func scopeConstraint(variable: String, slot: Slot) throws(CedarError) -> ScopeConstraint {
        try expectKeyword(variable)
        if accept("==") { return .equal(try entityReference(slot: slot)) }
        if acceptKeyword("in") { return .in(try entityReference(slot: slot)) }
        if acceptKeyword("is") {
            let type = EntityType(try path().joined(separator: "::"))
            if acceptKeyword("in") { return .isIn(type, try entityReference(slot: slot)) }
            return .is(type)
        }
        return .any
    }

    /// An entity uid in the action scope, which must be of an `Action` type.
    private mutating func actionUID() throws(CedarError) -> EntityUID {
        let at = location
        let uid = try entityUID()
        guard uid.type.isAction else {
            throw .parse("expected an action entity like Action::\"view\", found `\(uid)`", at: at)
        }
        return uid
    }

    private mutating func actionConstraint() throws(CedarError) -> ActionConstraint {
        try expectKeyword("action")
        if accept("==") { return .equal(try actionUID()) }
        if acceptKeyword("in") {
            if accept("[") {
                var uids: [EntityUID] = []
                while !current.isSymbol("]") {
                    uids.append(try actionUID())
                    if !accept(",") { break }
                }
                try expect("]")
                return .inSet(uids)
            }
            return .in(try actionUID())
        }
        if current.isIdentifier("is") {
            throw .parse("`is` is not allowed in the action scope", at: location)
        }
        return .any
    }

    /// `Path::"id"`.
    mutating func entityUID() throws(CedarError) -> EntityUID {
        guard case .identifier = current.kind else { throw unexpected("an entity uid") }
        let components = try path()
        return try entityUID(after: components)
    }

    mutating func entityUID(after components: [String]) throws(CedarError) -> EntityUID {
        for component in components where Self.reserved.contains(component) {
            throw .parse("`\(component)` is reserved and cannot be used in an entity type", at: location)
        }
        try expect("::")
        let id = try string("an entity id string")
        return EntityUID(type: EntityType(components.joined(separator: "::")), id: id)
    }
}

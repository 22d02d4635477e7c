extension Parser {
    private mutating func nested<T>(_ body: (inout Parser) throws(CedarError) -> T) throws(CedarError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw .parse("expression nested more than \(Self.maximumDepth) levels deep", at: location)
        }
        return try body(&self)
    }

    /// `if e then e else e | e || e …`
    mutating func expression() throws(CedarError) -> Expr {
        try nested { (p: inout Parser) throws(CedarError) -> Expr in
            if p.acceptKeyword("if") {
                let condition = try p.expression()
                try p.expectKeyword("then")
                let then = try p.expression()
                try p.expectKeyword("else")
                let otherwise = try p.expression()
                return .ifThenElse(condition, then, otherwise)
            }
            return try p.or()
        }
    }

    private mutating func or() throws(CedarError) -> Expr {
        var lhs = try and()
        while accept("||") { lhs = .or(lhs, try and()) }
        return lhs
    }

    private mutating func and() throws(CedarError) -> Expr {
        var lhs = try relation()
        while accept("&&") { lhs = .and(lhs, try relation()) }
        return lhs
    }

    private mutating func relation() throws(CedarError) -> Expr {
        let lhs = try additive()
        let relational: [String: BinaryOperator] = [
            "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
        ]
        if case .symbol(let s) = current.kind, let op = relational[s] {
            advance()
            return .binary(op, lhs, try additive())
        }
        if current.isSymbol("=") {
            throw .parse("`=` is not an operator; use `==`", at: location)
        }
        if acceptKeyword("in") { return .binary(.in, lhs, try additive()) }
        if acceptKeyword("has") { return try hasChain(lhs) }
        if acceptKeyword("like") {
            guard case .string(let raw) = current.kind else { throw unexpected("a pattern string after `like`") }
            let at = location
            advance()
            return .like(lhs, try Unescape.pattern(raw, at: at))
        }
        if acceptKeyword("is") {
            let type = try path()
            for component in type where Self.reserved.contains(component) {
                throw .parse("`\(component)` is reserved and cannot be used as a type", at: location)
            }
            let entityType = EntityType(type.joined(separator: "::"))
            if acceptKeyword("in") { return .isType(lhs, entityType, try additive()) }
            return .isType(lhs, entityType, nil)
        }
        return lhs
    }

    /// `e has a.b.c` means `e has a && e.a has b && e.a.b has c`.
    private mutating func hasChain(_ target: Expr) throws(CedarError) -> Expr {
        var names: [String] = []
        if case .string = current.kind {
            names.append(try string())
        } else {
            names.append(try attributeName())
            while accept(".") { names.append(try attributeName()) }
        }
        var result = Expr.hasAttribute(target, names[0])
        var prefix = target
        for index in 1..<names.count {
            prefix = .getAttribute(prefix, names[index - 1])
            result = .and(result, .hasAttribute(prefix, names[index]))
        }
        return result
    }

    private mutating func attributeName() throws(CedarError) -> String {
        let at = location
        let name = try identifier("an attribute name")
        guard !Self.reserved.contains(name) else {
            throw .parse("`\(name)` is reserved; write it as a string", at: at)
        }
        return name
    }

    private mutating func additive() throws(CedarError) -> Expr {
        var lhs = try multiplicative()
        while true {
            if accept("+") {
                lhs = .binary(.add, lhs, try multiplicative())
            } else if accept("-") {
                lhs = .binary(.subtract, lhs, try multiplicative())
            } else {
                return lhs
            }
        }
    }

    private mutating func multiplicative() throws(CedarError) -> Expr {
        var lhs = try unary()
        while accept("*") { lhs = .binary(.multiply, lhs, try unary()) }
        if current.isSymbol("/") || current.isSymbol("%") {
            throw .parse("Cedar has no division or remainder operator", at: location)
        }
        return lhs
    }

    private mutating func unary() throws(CedarError) -> Expr {
        var operators: [String] = []
        let start = location
        while current.isSymbol("!") || current.isSymbol("-") {
            if case .symbol(let s) = current.kind { operators.append(s) }
            advance()
        }
        guard operators.count <= 4 else {
            throw .parse("too many unary operators in a row (at most 4)", at: start)
        }
        var expr: Expr
        // A minus directly before a bare integer literal is part of the literal, so -9223372036854775808
        // parses; with a member access after it (`-1.foo()`) the minus applies to the whole access.
        let next = peek(1)
        if operators.last == "-", case .integer(let digits) = current.kind, !next.isSymbol("."), !next.isSymbol("[") {
            let at = location
            advance()
            guard let value = Int64("-" + digits) else {
                throw .parse("integer literal `-\(digits)` does not fit in 64 bits", at: at)
            }
            operators.removeLast()
            expr = .value(.long(value))
        } else {
            expr = try member()
        }
        for op in operators.reversed() {
            expr = op == "!" ? .not(expr) : .negate(expr)
        }
        return expr
    }

    private mutating func member() throws(CedarError) -> Expr {
        try accessors(try primary())
    }

    private mutating func accessors(_ base: Expr) throws(CedarError) -> Expr {
        var expr = base
        while true {
            if accept(".") {
                let at = location
                let name = try identifier("an attribute or method name")
                if accept("(") {
                    let args = try argumentList(closing: ")")
                    expr = try methodCall(name, receiver: expr, args: args, at: at)
                } else {
                    guard !Self.reserved.contains(name) else {
                        throw .parse("`\(name)` is reserved; write `[\"\(name)\"]`", at: at)
                    }
                    expr = .getAttribute(expr, name)
                }
            } else if accept("[") {
                let name = try string("an attribute name string")
                try expect("]")
                expr = .getAttribute(expr, name)
            } else {
                return expr
            }
        }
    }

    private mutating func argumentList(closing: String) throws(CedarError) -> [Expr] {
        var args: [Expr] = []
        while !current.isSymbol(closing) {
            args.append(try expression())
            if !accept(",") { break }
        }
        try expect(closing)
        return args
    }

    private func methodCall(_ name: String, receiver: Expr, args: [Expr], at: SourceLocation) throws(CedarError)
        -> Expr
    {
        if name == "isEmpty" {
            guard args.isEmpty else { throw .parse("`isEmpty` takes no arguments", at: at) }
            return .isEmpty(receiver)
        }
        if let op = BinaryOperator.methods[name] {
            guard args.count == 1 else { throw .parse("`\(name)` takes exactly one argument", at: at) }
            return .binary(op, receiver, args[0])
        }
        guard let function = ExtensionFunction(rawValue: name), !function.isConstructor else {
            throw .parse("unknown method `\(name)`", at: at)
        }
        guard args.count + 1 == function.arity else {
            throw .parse("`\(name)` takes \(function.arity - 1) argument(s), found \(args.count)", at: at)
        }
        return .call(function, [receiver] + args)
    }

    private mutating func primary() throws(CedarError) -> Expr {
        let at = location
        switch current.kind {
        case .integer(let digits):
            advance()
            guard let value = Int64(digits) else {
                throw .parse("integer literal `\(digits)` does not fit in 64 bits", at: at)
            }
            return .value(.long(value))
        case .string:
            return .value(.string(try string()))
        case .slot(let name):
            guard let slot = Slot(rawValue: name) else { throw .parse("unknown slot `\(name)`", at: at) }
            advance()
            return .slot(slot)
        case .symbol("("):
            advance()
            let inner = try expression()
            try expect(")")
            return inner
        case .symbol("["):
            advance()
            return .set(try argumentList(closing: "]"))
        case .symbol("{"):
            advance()
            return try recordLiteral()
        case .identifier(let name):
            if name == "true" || name == "false" {
                advance()
                return .value(.bool(name == "true"))
            }
            if let variable = Variable(rawValue: name), !peek(1).isSymbol("::") {
                advance()
                return .variable(variable)
            }
            let components = try path()
            if accept("(") {
                let function = components.joined(separator: "::")
                guard let ext = ExtensionFunction(rawValue: function), ext.isConstructor else {
                    throw .parse("unknown function `\(function)`", at: at)
                }
                let args = try argumentList(closing: ")")
                guard args.count == ext.arity else {
                    throw .parse("`\(function)` takes \(ext.arity) argument(s), found \(args.count)", at: at)
                }
                return .call(ext, args)
            }
            if current.isSymbol("::") { return .value(.entity(try entityUID(after: components))) }
            throw .parse("unknown variable `\(components.joined(separator: "::"))`", at: at)
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func recordLiteral() throws(CedarError) -> Expr {
        var fields: [RecordField] = []
        while !current.isSymbol("}") {
            let at = location
            let key: String
            if case .string = current.kind {
                key = try string()
            } else {
                key = try attributeName()
            }
            guard !fields.contains(where: { $0.key == key }) else {
                throw .parse("duplicate key `\(key)` in record literal", at: at)
            }
            try expect(":")
            fields.append(RecordField(key: key, value: try expression()))
            if !accept(",") { break }
        }
        try expect("}")
        return .record(fields)
    }
}

extension Expr {
    /// The expression in Cedar's JSON policy format (EST).
    public var json: JSONValue {
        func binary(_ key: String, _ a: Expr, _ b: Expr) -> JSONValue {
            .object([key: .object(["left": a.json, "right": b.json])])
        }
        switch self {
        case .value(let v): return .object(["Value": v.json])
        case .variable(let v): return .object(["Var": .string(v.rawValue)])
        case .slot(let s): return .object(["Slot": .string(s.rawValue)])
        case .not(let x): return .object(["!": .object(["arg": x.json])])
        case .negate(let x): return .object(["neg": .object(["arg": x.json])])
        case .isEmpty(let x): return .object(["isEmpty": .object(["arg": x.json])])
        case .binary(let op, let a, let b): return binary(op.rawValue, a, b)
        case .and(let a, let b): return binary("&&", a, b)
        case .or(let a, let b): return binary("||", a, b)
        case .ifThenElse(let c, let t, let e):
            return .object(["if-then-else": .object(["if": c.json, "then": t.json, "else": e.json])])
        case .getAttribute(let x, let name): return .object([".": .object(["left": x.json, "attr": .string(name)])])
        case .hasAttribute(let x, let name): return .object(["has": .object(["left": x.json, "attr": .string(name)])])
        case .like(let x, let pattern):
            let elements: [JSONValue] = pattern.elements.map {
                switch $0 {
                case .wildcard: .string("Wildcard")
                case .literal(let c): .object(["Literal": .string(String(c))])
                }
            }
            return .object(["like": .object(["left": x.json, "pattern": .array(elements)])])
        case .isType(let x, let type, let container):
            var fields: [String: JSONValue] = ["left": x.json, "entity_type": .string(type.name)]
            if let container { fields["in"] = container.json }
            return .object(["is": .object(fields)])
        case .set(let items): return .object(["Set": .array(items.map(\.json))])
        case .record(let fields):
            var out: [String: JSONValue] = [:]
            for field in fields { out[field.key] = field.value.json }
            return .object(["Record": .object(out)])
        case .call(let function, let args): return .object([function.rawValue: .array(args.map(\.json))])
        }
    }

    /// Reads an expression in Cedar's JSON policy format (EST).
    public init(json: JSONValue) throws(CedarError) {
        guard case .object(let outer) = json, outer.count == 1, let (key, body) = outer.first else {
            throw .json("an expression must be an object with exactly one key")
        }
        func operand(_ name: String) throws(CedarError) -> Expr {
            guard let value = body[name] else { throw .json("`\(key)` needs `\(name)`") }
            return try Expr(json: value)
        }
        func attr() throws(CedarError) -> String {
            guard let name = body["attr"]?.stringValue else { throw .json("`\(key)` needs a string `attr`") }
            return name
        }
        switch key {
        case "Value": self = .value(try ValueReader.untyped(body, path: "Value"))
        case "Var":
            guard let name = body.stringValue, let v = Variable(rawValue: name) else {
                throw .json("unknown variable \(body.encoded())")
            }
            self = .variable(v)
        case "Slot":
            guard let name = body.stringValue, let s = Slot(rawValue: name) else {
                throw .json("unknown slot \(body.encoded())")
            }
            self = .slot(s)
        case "!": self = .not(try operand("arg"))
        case "neg": self = .negate(try operand("arg"))
        case "isEmpty": self = .isEmpty(try operand("arg"))
        case "&&": self = .and(try operand("left"), try operand("right"))
        case "||": self = .or(try operand("left"), try operand("right"))
        case "if-then-else": self = .ifThenElse(try operand("if"), try operand("then"), try operand("else"))
        case ".": self = .getAttribute(try operand("left"), try attr())
        case "has": self = .hasAttribute(try operand("left"), try attr())
        case "like":
            guard case .array(let items)? = body["pattern"] else { throw .json("`like` needs a `pattern` array") }
            var elements: [Pattern.Element] = []
            for item in items {
                if item == .string("Wildcard") {
                    elements.append(.wildcard)
                } else if let literal = item["Literal"]?.stringValue {
                    elements += literal.unicodeScalars.map { .literal($0) }
                } else {
                    throw .json("a pattern element must be \"Wildcard\" or {\"Literal\": …}")
                }
            }
            self = .like(try operand("left"), Pattern(elements))
        case "is":
            guard let type = body["entity_type"]?.stringValue else { throw .json("`is` needs an `entity_type`") }
            self = .isType(try operand("left"), EntityType(type), try body["in"].map { (j: JSONValue) throws(CedarError) in try Expr(json: j) })
        case "Set":
            guard case .array(let items) = body else { throw .json("`Set` needs an array") }
            var exprs: [Expr] = []
            for item in items { exprs.append(try Expr(json: item)) }
            self = .set(exprs)
        case "Record":
            guard case .object(let fields) = body else { throw .json("`Record` needs an object") }
            var out: [RecordField] = []
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                out.append(RecordField(key: name, value: try Expr(json: value)))
            }
            self = .record(out)
        default:
            if let op = BinaryOperator(rawValue: key) {
                self = .binary(op, try operand("left"), try operand("right"))
            } else if let function = ExtensionFunction(rawValue: key) {
                guard case .array(let items) = body else { throw .json("`\(key)` needs an array of arguments") }
                guard items.count == function.arity else {
                    throw .json("`\(key)` takes \(function.arity) argument(s), found \(items.count)")
                }
                var args: [Expr] = []
                for item in items { args.append(try Expr(json: item)) }
                self = .call(function, args)
            } else {
                throw .json("unknown expression kind `\(key)`")
            }
        }
    }
}

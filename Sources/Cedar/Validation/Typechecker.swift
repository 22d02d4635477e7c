/// The request shape one policy is checked under: a principal type, an action and a resource type.
struct RequestEnvironment: Hashable, Sendable {
    var principal: EntityType
    var action: EntityUID
    var resource: EntityType
    var context: RecordType
    /// Entity types assumed for template slots.
    var slots: [Slot: EntityType] = [:]
}

/// What the typechecker has proved present: attribute `key` (or a tag) of the value of `expr`.
struct Capability: Hashable, Sendable {
    enum Key: Hashable, Sendable {
        case attribute(String)
        case tag(Expr)
    }

    var expr: Expr
    var key: Key
}

/// Cedar's strict-mode typechecker for one request environment, following the Lean specification:
/// booleans carry `True`/`False` when known, `&&`, `||` and `if` skip what cannot run, and optional
/// attributes and tags need a `has` guard (tracked as capabilities).
struct Typechecker {
    let schema: Schema
    let environment: RequestEnvironment
    /// Entity type -> all its ancestor types.
    let typeAncestors: [EntityType: Set<EntityType>]
    /// Action hierarchy, for literal `action in …` tests.
    let actionHierarchy: Entities

    typealias Result = (type: CedarType, capabilities: Set<Capability>)

    func typeOf(_ expr: Expr, _ c: Set<Capability>) throws(CedarError) -> Result {
        switch expr {
        case .value(let value):
            return (try typeOfValue(value), [])
        case .variable(let variable):
            switch variable {
            case .principal: return (.entity(environment.principal), [])
            case .action: return (.entity(environment.action.type), [])
            case .resource: return (.entity(environment.resource), [])
            case .context: return (CedarType(.record(environment.context)), [])
            }
        case .slot(let slot):
            guard let type = environment.slots[slot] else { throw .validation("unlinked slot \(slot.rawValue)") }
            return (.entity(type), [])
        case .ifThenElse(let x1, let x2, let x3):
            let (t1, c1) = try typeOf(x1, c)
            switch t1 {
            case .bool(.alwaysTrue):
                let (t2, c2) = try typeOf(x2, c.union(c1))
                return (t2, c1.union(c2))
            case .bool(.alwaysFalse):
                return try typeOf(x3, c)
            case .bool(.any):
                let (t2, c2) = try typeOf(x2, c.union(c1))
                let (t3, c3) = try typeOf(x3, c)
                guard let type = CedarType.lub(t2, t3) else {
                    throw .validation("the branches of `if` have incompatible types \(t2) and \(t3)")
                }
                return (type, c1.union(c2).intersection(c3))
            default:
                throw unexpected(t1, expected: "Bool", in: "`if` condition")
            }
        case .and(let x1, let x2):
            let (t1, c1) = try typeOf(x1, c)
            guard case .bool(let b1) = t1 else { throw unexpected(t1, expected: "Bool", in: "`&&`") }
            if b1 == .alwaysFalse { return (.bool(.alwaysFalse), []) }
            let (t2, c2) = try typeOf(x2, c.union(c1))
            switch t2 {
            case .bool(.alwaysFalse): return (.bool(.alwaysFalse), [])
            case .bool(.alwaysTrue): return (.bool(b1), c1.union(c2))
            case .bool: return (.bool(.any), c1.union(c2))
            default: throw unexpected(t2, expected: "Bool", in: "`&&`")
            }
        case .or(let x1, let x2):
            let (t1, c1) = try typeOf(x1, c)
            guard case .bool(let b1) = t1 else { throw unexpected(t1, expected: "Bool", in: "`||`") }
            if b1 == .alwaysTrue { return (.bool(.alwaysTrue), []) }
            let (t2, c2) = try typeOf(x2, c)
            guard case .bool(let b2) = t2 else { throw unexpected(t2, expected: "Bool", in: "`||`") }
            if b1 == .alwaysFalse { return (t2, c2) }
            switch b2 {
            case .alwaysTrue: return (.bool(.alwaysTrue), [])
            case .alwaysFalse: return (.bool(.any), c1)
            case .any: return (.bool(.any), c1.intersection(c2))
            }
        case .not(let x):
            let (t, _) = try typeOf(x, c)
            guard case .bool(let b) = t else { throw unexpected(t, expected: "Bool", in: "`!`") }
            return (.bool(b.negated), [])
        case .negate(let x):
            let (t, _) = try typeOf(x, c)
            guard t == .long else { throw unexpected(t, expected: "Long", in: "unary `-`") }
            return (.long, [])
        case .like(let x, _):
            let (t, _) = try typeOf(x, c)
            guard t == .string else { throw unexpected(t, expected: "String", in: "`like`") }
            return (.bool(.any), [])
        case .isType(let x, let type, let container):
            if let container {
                return try typeOf(.and(.isType(x, type, nil), .binary(.in, x, container)), c)
            }
            let (t, _) = try typeOf(x, c)
            guard case .entity(let actual) = t else { throw unexpected(t, expected: "an entity", in: "`is`") }
            return (.bool(actual == type ? .alwaysTrue : .alwaysFalse), [])
        case .isEmpty(let x):
            let (t, _) = try typeOf(x, c)
            guard case .set = t else { throw unexpected(t, expected: "a set", in: "`isEmpty`") }
            return (.bool(.any), [])
        case .binary(let op, let x1, let x2):
            switch op {
            case .notEqual: return try typeOf(.not(.binary(.equal, x1, x2)), c)
            case .greater: return try typeOf(.binary(.less, x2, x1), c)
            case .greaterOrEqual: return try typeOf(.binary(.lessOrEqual, x2, x1), c)
            default: break
            }
            let (t1, _) = try typeOf(x1, c)
            let (t2, _) = try typeOf(x2, c)
            return try typeOfBinary(op, t1, t2, x1, x2, c)
        case .hasAttribute(let x, let name):
            let (t, _) = try typeOf(x, c)
            switch t {
            case .record(let fields):
                return hasAttribute(fields, x, name, c, knownToExist: true)
            case .entity(let type):
                if let definition = schema.entityTypes[type] {
                    return hasAttribute(CedarType(.record(definition.shape)).recordFields, x, name, c, knownToExist: false)
                }
                if type.isAction { return (.bool(.alwaysFalse), []) }
                throw .validation("unknown entity type `\(type)`")
            default:
                throw unexpected(t, expected: "an entity or record", in: "`has`")
            }
        case .getAttribute(let x, let name):
            let (t, _) = try typeOf(x, c)
            let fields: [String: CedarType.Attribute]
            switch t {
            case .record(let f): fields = f
            case .entity(let type):
                guard let definition = schema.entityTypes[type] else {
                    throw .validation("entities of type `\(type)` have no attributes")
                }
                fields = CedarType(.record(definition.shape)).recordFields
            default:
                throw unexpected(t, expected: "an entity or record", in: "attribute access `.\(name)`")
            }
            guard let attribute = fields[name] else { throw .validation("attribute `\(name)` not found on \(t)") }
            if !attribute.isRequired && !c.contains(Capability(expr: x, key: .attribute(name))) {
                throw .validation("attribute `\(name)` of \(t) is optional; test it with `has` first")
            }
            return (attribute.type, [])
        case .set(let elements):
            guard !elements.isEmpty else { throw .validation("an empty set literal has no type") }
            var type: CedarType?
            for element in elements {
                let (t, _) = try typeOf(element, c)
                guard let next = type.map({ CedarType.lub($0, t) }) ?? t else {
                    throw .validation("set elements have incompatible types")
                }
                type = next
            }
            return (.set(type!), [])
        case .record(let fields):
            var types: [String: CedarType.Attribute] = [:]
            for field in fields {
                types[field.key] = CedarType.Attribute(type: try typeOf(field.value, c).type, isRequired: true)
            }
            return (.record(types), [])
        case .call(let function, let args):
            var types: [CedarType] = []
            for arg in args { types.append(try typeOf(arg, c).type) }
            return (try typeOfCall(function, types, args), [])
        }
    }

    private func typeOfValue(_ value: Value) throws(CedarError) -> CedarType {
        switch value {
        case .bool(let b): return .bool(b ? .alwaysTrue : .alwaysFalse)
        case .long: return .long
        case .string: return .string
        case .entity(let uid):
            guard schema.entityTypes[uid.type] != nil || schema.actions[uid] != nil else {
                throw .validation("unknown entity type `\(uid.type)`")
            }
            return .entity(uid.type)
        default:
            throw .validation("unexpected literal \(value)")
        }
    }

    private func unexpected(_ type: CedarType, expected: String, in what: String) -> CedarError {
        .validation("\(what) expects \(expected), found \(type)")
    }

    private func hasAttribute(
        _ fields: [String: CedarType.Attribute], _ x: Expr, _ name: String, _ c: Set<Capability>, knownToExist: Bool
    ) -> Result {
        guard let attribute = fields[name] else { return (.bool(.alwaysFalse), []) }
        let capability = Capability(expr: x, key: .attribute(name))
        if c.contains(capability) || (attribute.isRequired && knownToExist) { return (.bool(.alwaysTrue), []) }
        return (.bool(.any), [capability])
    }

    private func isDescendantType(_ a: EntityType, of b: EntityType) -> Bool {
        a == b || (typeAncestors[a]?.contains(b) ?? false)
    }

    private func literalAction(_ x: Expr) -> EntityUID? {
        if case .value(.entity(let uid)) = x, schema.actions[uid] != nil { return uid }
        return nil
    }

    private func typeOfBinary(
        _ op: BinaryOperator, _ t1: CedarType, _ t2: CedarType, _ x1: Expr, _ x2: Expr, _ c: Set<Capability>
    ) throws(CedarError) -> Result {
        func lubThenBool(_ a: CedarType, _ b: CedarType) throws(CedarError) -> Result {
            guard CedarType.lub(a, b) != nil else { throw .validation("incompatible types \(a) and \(b)") }
            return (.bool(.any), [])
        }
        switch (op, t1, t2) {
        case (.equal, _, _):
            if case .value(let v1) = x1, case .value(let v2) = x2 { return (.bool(v1 == v2 ? .alwaysTrue : .alwaysFalse), []) }
            if CedarType.lub(t1, t2) != nil { return (.bool(.any), []) }
            if case .entity = t1, case .entity = t2 { return (.bool(.alwaysFalse), []) }
            throw .validation("`==` compares incompatible types \(t1) and \(t2)")
        case (.in, .entity(let e1), .entity(let e2)):
            if let action = literalAction(x1), case .value(.entity(let target)) = x2 {
                return (.bool(actionHierarchy.isDescendant(action, of: target) ? .alwaysTrue : .alwaysFalse), [])
            }
            return (.bool(isDescendantType(e1, of: e2) ? .any : .alwaysFalse), [])
        case (.in, .entity(let e1), .set(.entity(let e2))):
            if let action = literalAction(x1), case .set(let items) = x2 {
                var targets: [EntityUID] = []
                for item in items {
                    if case .value(.entity(let uid)) = item { targets.append(uid) }
                }
                if targets.count == items.count {
                    let found = targets.contains { actionHierarchy.isDescendant(action, of: $0) }
                    return (.bool(found ? .alwaysTrue : .alwaysFalse), [])
                }
            }
            return (.bool(isDescendantType(e1, of: e2) ? .any : .alwaysFalse), [])
        case (.hasTag, .entity(let type), .string):
            guard let definition = schema.entityTypes[type] else {
                if type.isAction { return (.bool(.alwaysFalse), []) }
                throw .validation("unknown entity type `\(type)`")
            }
            guard definition.tags != nil else { return (.bool(.alwaysFalse), []) }
            let capability = Capability(expr: x1, key: .tag(x2))
            if c.contains(capability) { return (.bool(.alwaysTrue), []) }
            return (.bool(.any), [capability])
        case (.getTag, .entity(let type), .string):
            guard let definition = schema.entityTypes[type] else { throw .validation("unknown entity type `\(type)`") }
            guard let tagType = definition.tags, c.contains(Capability(expr: x1, key: .tag(x2))) else {
                throw .validation("tag access on `\(type)` needs a `hasTag` guard and declared tags")
            }
            return (CedarType(tagType), [])
        case (.less, .long, .long), (.lessOrEqual, .long, .long),
            (.less, .extension(.datetime), .extension(.datetime)),
            (.lessOrEqual, .extension(.datetime), .extension(.datetime)),
            (.less, .extension(.duration), .extension(.duration)),
            (.lessOrEqual, .extension(.duration), .extension(.duration)):
            return (.bool(.any), [])
        case (.add, .long, .long), (.subtract, .long, .long), (.multiply, .long, .long):
            return (.long, [])
        case (.contains, .set(let element), _):
            return try lubThenBool(t2, element)
        case (.containsAll, .set(let a), .set(let b)), (.containsAny, .set(let a), .set(let b)):
            return try lubThenBool(a, b)
        default:
            throw .validation("`\(op.rawValue)` cannot be applied to \(t1) and \(t2)")
        }
    }

    private func typeOfCall(_ function: ExtensionFunction, _ types: [CedarType], _ args: [Expr]) throws(CedarError)
        -> CedarType
    {
        if function.isConstructor {
            guard args.count == 1, case .value(let literal) = args[0], case .string = literal,
                (try? ExtensionCall.apply(function, [literal])) != nil
            else { throw .validation("`\(function.rawValue)` needs a valid string literal argument") }
            return .extension(ExtensionType(constructor: function)!)
        }
        let decimal = CedarType.extension(.decimal)
        let ip = CedarType.extension(.ipaddr)
        let datetime = CedarType.extension(.datetime)
        let duration = CedarType.extension(.duration)
        let signature: ([CedarType], CedarType) =
            switch function {
            case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: ([decimal, decimal], .bool(.any))
            case .isIpv4, .isIpv6, .isLoopback, .isMulticast: ([ip], .bool(.any))
            case .isInRange: ([ip, ip], .bool(.any))
            case .offset: ([datetime, duration], datetime)
            case .durationSince: ([datetime, datetime], duration)
            case .toDate: ([datetime], datetime)
            case .toTime: ([datetime], duration)
            case .toMilliseconds, .toSeconds, .toMinutes, .toHours, .toDays: ([duration], .long)
            case .ip, .decimal, .datetime, .duration: ([], .bool(.any))  // handled above
            }
        guard types == signature.0 else {
            throw .validation("`\(function.rawValue)` expects \(signature.0.map(\.description)), found \(types.map(\.description))")
        }
        return signature.1
    }
}

extension CedarType {
    var recordFields: [String: Attribute] {
        if case .record(let fields) = self { return fields }
        return [:]
    }
}


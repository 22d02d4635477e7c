/// Evaluates expressions for one request against a set of entities, with Cedar's semantics:
/// strict types, short-circuiting `&&` / `||`, checked 64-bit arithmetic.
public struct Evaluator: Sendable {
    public let request: Request
    public let entities: Entities

    public init(request: Request, entities: Entities) {
        self.request = request
        self.entities = entities
    }

    /// True when the policy applies to the request; throws when evaluating it raises an error.
    public func isSatisfied(_ policy: Policy) throws(CedarError) -> Bool {
        guard matches(policy.principal, request.principal), matches(policy.action),
            matches(policy.resource, request.resource)
        else { return false }
        for condition in policy.conditions {
            let value = try bool(try evaluate(condition.body))
            if value != (condition.kind == .when) { return false }
        }
        return true
    }

    private func matches(_ constraint: ScopeConstraint, _ uid: EntityUID) -> Bool {
        switch constraint {
        case .any: true
        case .equal(.entity(let target)): uid == target
        case .in(.entity(let target)): entities.isDescendant(uid, of: target)
        case .is(let type): uid.type == type
        case .isIn(let type, .entity(let target)): uid.type == type && entities.isDescendant(uid, of: target)
        case .equal(.slot), .in(.slot), .isIn(_, .slot): false  // templates are never evaluated unlinked
        }
    }

    private func matches(_ constraint: ActionConstraint) -> Bool {
        switch constraint {
        case .any: true
        case .equal(let target): request.action == target
        case .in(let target): entities.isDescendant(request.action, of: target)
        case .inSet(let targets): targets.contains { entities.isDescendant(request.action, of: $0) }
        }
    }

    /// Evaluates an expression to a value.
    public func evaluate(_ expr: Expr) throws(CedarError) -> Value {
        switch expr {
        case .value(let v):
            return v
        case .variable(let variable):
            switch variable {
            case .principal: return .entity(request.principal)
            case .action: return .entity(request.action)
            case .resource: return .entity(request.resource)
            case .context: return .record(request.context)
            }
        case .slot(let slot):
            throw .evaluation("template slot \(slot.rawValue) was not linked")
        case .not(let e):
            return .bool(!(try bool(try evaluate(e))))
        case .negate(let e):
            let n = try long(try evaluate(e))
            let (result, overflow) = Int64(0).subtractingReportingOverflow(n)
            if overflow { throw .evaluation("integer overflow while attempting to negate `\(n)`") }
            return .long(result)
        case .and(let lhs, let rhs):
            guard try bool(try evaluate(lhs)) else { return .bool(false) }
            return .bool(try bool(try evaluate(rhs)))
        case .or(let lhs, let rhs):
            if try bool(try evaluate(lhs)) { return .bool(true) }
            return .bool(try bool(try evaluate(rhs)))
        case .ifThenElse(let condition, let then, let otherwise):
            return try bool(try evaluate(condition)) ? try evaluate(then) : try evaluate(otherwise)
        case .binary(let op, let lhs, let rhs):
            return try binary(op, try evaluate(lhs), try evaluate(rhs))
        case .getAttribute(let target, let name):
            return try attribute(of: try evaluate(target), name)
        case .hasAttribute(let target, let name):
            switch try evaluate(target) {
            case .record(let fields): return .bool(fields.exact(name) != nil)
            case .entity(let uid): return .bool(entities[uid]?.attributes.exact(name) != nil)
            case let other: throw typeError(expected: "entity or record", got: other)
            }
        case .like(let target, let pattern):
            return .bool(pattern.matches(try string(try evaluate(target))))
        case .isType(let target, let type, let container):
            let uid = try entity(try evaluate(target))
            guard uid.type == type else { return .bool(false) }
            guard let container else { return .bool(true) }
            return try binary(.in, .entity(uid), try evaluate(container))
        case .isEmpty(let target):
            return .bool(try set(try evaluate(target)).isEmpty)
        case .set(let elements):
            var values = Set<Value>(minimumCapacity: elements.count)
            for element in elements { values.insert(try evaluate(element)) }
            return .set(values)
        case .record(let fields):
            var values: [String: Value] = [:]
            values.reserveCapacity(fields.count)
            for field in fields { values[field.key] = try evaluate(field.value) }
            return .record(values)
        case .call(let function, let args):
            var values: [Value] = []
            values.reserveCapacity(args.count)
            for arg in args { values.append(try evaluate(arg)) }
            return try ExtensionCall.apply(function, values)
        }
    }

    private func attribute(of value: Value, _ name: String) throws(CedarError) -> Value {
        switch value {
        case .record(let fields):
            guard let field = fields.exact(name) else {
                throw .evaluation("record does not have the attribute `\(name)`")
            }
            return field
        case .entity(let uid):
            guard let entity = entities[uid] else { throw .evaluation("entity `\(uid)` does not exist") }
            guard let field = entity.attributes.exact(name) else {
                throw .evaluation("`\(uid)` does not have the attribute `\(name)`")
            }
            return field
        default:
            throw typeError(expected: "entity or record", got: value)
        }
    }

    private func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) throws(CedarError) -> Value {
        switch op {
        case .equal: return .bool(lhs == rhs)
        case .notEqual: return .bool(lhs != rhs)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return .bool(try compare(op, lhs, rhs))
        case .add, .subtract, .multiply:
            let a = try long(lhs)
            let b = try long(rhs)
            let (result, overflow) =
                switch op {
                case .add: a.addingReportingOverflow(b)
                case .subtract: a.subtractingReportingOverflow(b)
                default: a.multipliedReportingOverflow(by: b)
                }
            if overflow { throw .evaluation("integer overflow while attempting to \(op.verb) `\(a)` and `\(b)`") }
            return .long(result)
        case .in:
            let uid = try entity(lhs)
            switch rhs {
            case .entity(let target): return .bool(entities.isDescendant(uid, of: target))
            case .set(let targets):
                var found = false
                for target in targets {
                    let targetUID = try entity(target)
                    if !found, entities.isDescendant(uid, of: targetUID) { found = true }
                }
                return .bool(found)
            default: throw typeError(expected: "entity or set of entities", got: rhs)
            }
        case .contains:
            return .bool(try set(lhs).contains(rhs))
        case .containsAll:
            let a = try set(lhs)
            return .bool(try set(rhs).isSubset(of: a))
        case .containsAny:
            let a = try set(lhs)
            return .bool(!a.isDisjoint(with: try set(rhs)))
        case .hasTag:
            let uid = try entity(lhs)
            let tag = try string(rhs)  // checked even when the entity does not exist
            return .bool(entities[uid]?.tags.exact(tag) != nil)
        case .getTag:
            let uid = try entity(lhs)
            let tag = try string(rhs)
            guard let entity = entities[uid] else { throw .evaluation("entity `\(uid)` does not exist") }
            guard let value = entity.tags.exact(tag) else { throw .evaluation("`\(uid)` does not have the tag `\(tag)`") }
            return value
        }
    }

    private func compare(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) throws(CedarError) -> Bool {
        func order<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch op {
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            default: a >= b
            }
        }
        switch (lhs, rhs) {
        case (.long(let a), .long(let b)): return order(a, b)
        case (.datetime(let a), .datetime(let b)): return order(a, b)
        case (.duration(let a), .duration(let b)): return order(a, b)
        case (.long, _), (.datetime, _), (.duration, _):
            throw typeError(expected: lhs.typeName, got: rhs)
        default:
            throw typeError(expected: "long, datetime or duration", got: lhs)
        }
    }

    private func typeError(expected: String, got value: Value) -> CedarError {
        .evaluation("type error: expected \(expected), got \(value.typeName)")
    }

    func bool(_ value: Value) throws(CedarError) -> Bool {
        guard case .bool(let b) = value else { throw typeError(expected: "bool", got: value) }
        return b
    }

    private func long(_ value: Value) throws(CedarError) -> Int64 {
        guard case .long(let n) = value else { throw typeError(expected: "long", got: value) }
        return n
    }

    private func string(_ value: Value) throws(CedarError) -> String {
        guard case .string(let s) = value else { throw typeError(expected: "string", got: value) }
        return s
    }

    private func entity(_ value: Value) throws(CedarError) -> EntityUID {
        guard case .entity(let uid) = value else { throw typeError(expected: "entity", got: value) }
        return uid
    }

    private func set(_ value: Value) throws(CedarError) -> Set<Value> {
        guard case .set(let s) = value else { throw typeError(expected: "set", got: value) }
        return s
    }
}

extension BinaryOperator {
    fileprivate var verb: String {
        switch self {
        case .add: "add"
        case .subtract: "subtract"
        default: "multiply"
        }
    }
}

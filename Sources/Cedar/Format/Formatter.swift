/// Writes policies and expressions back as Cedar text. Parsing the output gives the same policy.
enum Formatter {
    /// Binding strength, loosest first.
    private enum Level: Int, Comparable {
        case ifThenElse, or, and, relation, additive, multiplicative, unary, member, primary
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first,
            (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_"
        }
    }

    private static func attributeName(_ name: String) -> String {
        isIdentifier(name) && !Parser.reserved.contains(name) ? name : CedarString.quoted(name)
    }

    private static func level(of expr: Expr) -> Level {
        switch expr {
        case .ifThenElse: .ifThenElse
        case .or: .or
        case .and: .and
        case .like, .isType, .hasAttribute: .relation
        case .binary(let op, _, _):
            switch op {
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .in: .relation
            case .add, .subtract: .additive
            case .multiply: .multiplicative
            case .contains, .containsAll, .containsAny, .getTag, .hasTag: .member
            }
        case .not, .negate: .unary
        case .value(.long(let n)) where n < 0: .unary
        case .getAttribute, .isEmpty, .call: .member
        case .value, .variable, .slot, .set, .record: .primary
        }
    }

    /// `expr`, parenthesised unless it binds at least as tightly as `minimum`.
    private static func operand(_ expr: Expr, _ minimum: Level) -> String {
        let text = format(expr)
        return level(of: expr) >= minimum ? text : "(\(text))"
    }

    static func format(_ expr: Expr) -> String {
        switch expr {
        case .value(let v): return v.description
        case .variable(let v): return v.rawValue
        case .slot(let s): return s.rawValue
        case .not(let x), .negate(let x):
            let sign = if case .not = expr { "!" } else { "-" }
            // Nested unary operators and literals that would fuse with a minus get parentheses.
            var inner = operand(x, .member)
            if case .negate = expr, inner.first?.isNumber == true { inner = "(\(inner))" }
            return sign + inner
        case .binary(let op, let a, let b):
            switch level(of: expr) {
            case .member: return "\(operand(a, .member)).\(op.rawValue)(\(format(b)))"
            case .relation: return "\(operand(a, .additive)) \(op.rawValue) \(operand(b, .additive))"
            case .additive: return "\(operand(a, .additive)) \(op.rawValue) \(operand(b, .multiplicative))"
            default: return "\(operand(a, .multiplicative)) \(op.rawValue) \(operand(b, .unary))"
            }
        case .and(let a, let b): return "\(operand(a, .and)) && \(operand(b, .relation))"
        case .or(let a, let b): return "\(operand(a, .or)) || \(operand(b, .and))"
        case .ifThenElse(let c, let t, let e): return "if \(format(c)) then \(format(t)) else \(format(e))"
        case .getAttribute(let x, let name):
            let target = operand(x, .member)
            return isIdentifier(name) && !Parser.reserved.contains(name)
                ? "\(target).\(name)" : "\(target)[\(CedarString.quoted(name))]"
        case .hasAttribute(let x, let name): return "\(operand(x, .additive)) has \(attributeName(name))"
        case .like(let x, let pattern): return "\(operand(x, .additive)) like \"\(pattern)\""
        case .isType(let x, let type, let container):
            let base = "\(operand(x, .additive)) is \(type.name)"
            guard let container else { return base }
            return "\(base) in \(operand(container, .additive))"
        case .isEmpty(let x): return "\(operand(x, .member)).isEmpty()"
        case .set(let items): return "[" + items.map(format).joined(separator: ", ") + "]"
        case .record(let fields):
            return "{" + fields.map { "\(attributeName($0.key)): \(format($0.value))" }.joined(separator: ", ") + "}"
        case .call(let function, let args):
            if function.isConstructor { return "\(function.rawValue)(\(args.map(format).joined(separator: ", ")))" }
            let rest = args.dropFirst().map(format).joined(separator: ", ")
            return "\(operand(args[0], .member)).\(function.rawValue)(\(rest))"
        }
    }

    static func format(_ policy: Policy) -> String {
        func reference(_ ref: EntityReference) -> String {
            switch ref {
            case .entity(let uid): uid.description
            case .slot(let slot): slot.rawValue
            }
        }
        func scope(_ name: String, _ constraint: ScopeConstraint) -> String {
            switch constraint {
            case .any: name
            case .equal(let ref): "\(name) == \(reference(ref))"
            case .in(let ref): "\(name) in \(reference(ref))"
            case .is(let type): "\(name) is \(type.name)"
            case .isIn(let type, let ref): "\(name) is \(type.name) in \(reference(ref))"
            }
        }
        let action: String =
            switch policy.action {
            case .any: "action"
            case .equal(let uid): "action == \(uid)"
            case .in(let uid): "action in \(uid)"
            case .inSet(let uids): "action in [" + uids.map(\.description).joined(separator: ", ") + "]"
            }
        var text = ""
        for annotation in policy.annotations {
            text += "@\(annotation.name)(\(CedarString.quoted(annotation.value)))\n"
        }
        text += "\(policy.effect.rawValue) (\n  \(scope("principal", policy.principal)),\n  \(action),\n"
        text += "  \(scope("resource", policy.resource))\n)"
        for condition in policy.conditions {
            text += "\n\(condition.kind.rawValue) { \(format(condition.body)) }"
        }
        return text + ";"
    }
}

extension Policy {
    /// The policy as Cedar text.
    public var cedarText: String { Formatter.format(self) }
}

extension Expr {
    /// The expression as Cedar text.
    public var cedarText: String { Formatter.format(self) }
}

extension PolicySet {
    /// Every static policy and template as Cedar text, in the order they were added (so positional
    /// ids survive a round trip). Template-linked policies have no text form; see ``json``.
    public var cedarText: String {
        order.compactMap { policy(id: $0) }.filter { $0.templateID == nil }.map(\.cedarText)
            .joined(separator: "\n\n") + "\n"
    }
}

extension Policy {
    /// The whole policy as one boolean expression: scope constraints, then `when` bodies and negated
    /// `unless` bodies, joined by `&&` (the form the Cedar specification typechecks).
    var conditionExpression: Expr {
        func scope(_ constraint: ScopeConstraint, _ variable: Variable) -> Expr {
            func reference(_ ref: EntityReference) -> Expr {
                switch ref {
                case .entity(let uid): .value(.entity(uid))
                case .slot(let slot): .slot(slot)
                }
            }
            let v = Expr.variable(variable)
            switch constraint {
            case .any: return .value(.bool(true))
            case .equal(let ref): return .binary(.equal, v, reference(ref))
            case .in(let ref): return .binary(.in, v, reference(ref))
            case .is(let type): return .isType(v, type, nil)
            case .isIn(let type, let ref): return .and(.isType(v, type, nil), .binary(.in, v, reference(ref)))
            }
        }
        let actionExpr: Expr =
            switch action {
            case .any: .value(.bool(true))
            case .equal(let uid): .binary(.equal, .variable(.action), .value(.entity(uid)))
            case .in(let uid): .binary(.in, .variable(.action), .value(.entity(uid)))
            case .inSet(let uids): .binary(.in, .variable(.action), .set(uids.map { .value(.entity($0)) }))
            }
        var body = Expr.value(.bool(true))
        for condition in conditions.reversed() {
            body = .and(condition.kind == .when ? condition.body : .not(condition.body), body)
        }
        return .and(scope(principal, .principal), .and(actionExpr, .and(scope(resource, .resource), body)))
    }
}

extension Expr {
    /// Replaces the `action` variable with a literal, as the typechecker does per environment.
    func substitutingAction(_ uid: EntityUID) -> Expr {
        func go(_ e: Expr) -> Expr { e.substitutingAction(uid) }
        switch self {
        case .variable(.action): return .value(.entity(uid))
        case .value, .variable, .slot: return self
        case .not(let x): return .not(go(x))
        case .negate(let x): return .negate(go(x))
        case .binary(let op, let a, let b): return .binary(op, go(a), go(b))
        case .and(let a, let b): return .and(go(a), go(b))
        case .or(let a, let b): return .or(go(a), go(b))
        case .ifThenElse(let a, let b, let c): return .ifThenElse(go(a), go(b), go(c))
        case .getAttribute(let x, let name): return .getAttribute(go(x), name)
        case .hasAttribute(let x, let name): return .hasAttribute(go(x), name)
        case .like(let x, let pattern): return .like(go(x), pattern)
        case .isType(let x, let type, let container): return .isType(go(x), type, container.map(go))
        case .isEmpty(let x): return .isEmpty(go(x))
        case .set(let items): return .set(items.map(go))
        case .record(let fields): return .record(fields.map { RecordField(key: $0.key, value: go($0.value)) })
        case .call(let f, let args): return .call(f, args.map(go))
        }
    }

    /// Calls `visit` on this expression and every subexpression.
    func forEach(_ visit: (Expr) throws(CedarError) -> Void) throws(CedarError) {
        try visit(self)
        switch self {
        case .value, .variable, .slot: break
        case .not(let x), .negate(let x), .getAttribute(let x, _), .hasAttribute(let x, _), .like(let x, _),
            .isEmpty(let x), .isType(let x, _, nil):
            try x.forEach(visit)
        case .isType(let x, _, let container?):
            try x.forEach(visit)
            try container.forEach(visit)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            try a.forEach(visit)
            try b.forEach(visit)
        case .ifThenElse(let a, let b, let c):
            try a.forEach(visit)
            try b.forEach(visit)
            try c.forEach(visit)
        case .set(let items), .call(_, let items):
            for item in items { try item.forEach(visit) }
        case .record(let fields):
            for field in fields { try field.value.forEach(visit) }
        }
    }
}

/// A Cedar expression, as parsed from policy text or the JSON policy format.
public indirect enum Expr: Hashable, Sendable {
    case value(Value)
    case variable(Variable)
    case slot(Slot)
    case not(Expr)
    case negate(Expr)
    case binary(BinaryOperator, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case ifThenElse(Expr, Expr, Expr)
    case getAttribute(Expr, String)
    case hasAttribute(Expr, String)
    case like(Expr, Pattern)
    /// `e is T`, or `e is T in other` when the third value is present.
    case isType(Expr, EntityType, Expr?)
    case isEmpty(Expr)
    case set([Expr])
    /// A record literal; keys are unique and in source order.
    case record([RecordField])
    /// An extension function (`ip("…")`) or method (`a.lessThan(b)`, receiver first).
    case call(ExtensionFunction, [Expr])
}

/// One `key: value` of a record literal.
public struct RecordField: Hashable, Sendable {
    public var key: String
    public var value: Expr

    public init(key: String, value: Expr) {
        self.key = key
        self.value = value
    }
}

/// The four request variables.
public enum Variable: String, Hashable, Sendable, CaseIterable {
    case principal, action, resource, context
}

/// Template slots.
public enum Slot: String, Hashable, Sendable {
    case principal = "?principal"
    case resource = "?resource"
}

public enum BinaryOperator: String, Hashable, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case `in` = "in"
    case contains
    case containsAll
    case containsAny
    case getTag
    case hasTag

    /// The builtin methods written `a.name(b)`.
    static let methods: [String: BinaryOperator] = [
        "contains": .contains, "containsAll": .containsAll, "containsAny": .containsAny,
        "getTag": .getTag, "hasTag": .hasTag,
    ]

    var isMethod: Bool { Self.methods[rawValue] != nil }
}

/// A `like` pattern: literal characters and `*` wildcards.
public struct Pattern: Hashable, Sendable, CustomStringConvertible {
    public enum Element: Hashable, Sendable {
        case literal(Unicode.Scalar)
        case wildcard
    }

    public let elements: [Element]

    public init(_ elements: [Element]) { self.elements = elements }

    /// True when the whole of `text` matches (a `*` matches any run of characters, including none).
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < scalars.count {
            if p < elements.count, case .literal(let c) = elements[p], c == scalars[t] {
                p += 1
                t += 1
            } else if p < elements.count, elements[p] == .wildcard {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < elements.count, elements[p] == .wildcard { p += 1 }
        return p == elements.count
    }

    /// The pattern as written between quotes in Cedar, with `*` and `\*`.
    public var description: String {
        var out = ""
        for element in elements {
            switch element {
            case .wildcard: out += "*"
            case .literal("*"): out += "\\*"
            case .literal(let c):
                let quoted = CedarString.quoted(String(c))
                out += quoted.dropFirst().dropLast()
            }
        }
        return out
    }
}

extension Expr {
    /// Parses one Cedar expression, e.g. `User::"alice"` or `context.ip.isLoopback()`.
    public init(parsing text: String) throws(CedarError) {
        self = try Parser.parseExpression(text)
    }
}

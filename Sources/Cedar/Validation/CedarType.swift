/// The types the validator assigns to expressions (strict mode: one entity type, never a union).
indirect enum CedarType: Hashable, Sendable, CustomStringConvertible {
    /// Booleans carry what is known statically: always true, always false, or either.
    enum BoolType: Hashable, Sendable {
        case alwaysTrue, alwaysFalse, any

        var negated: BoolType {
            switch self {
            case .alwaysTrue: .alwaysFalse
            case .alwaysFalse: .alwaysTrue
            case .any: .any
            }
        }
    }

    struct Attribute: Hashable, Sendable {
        var type: CedarType
        var isRequired: Bool
    }

    case bool(BoolType)
    case long
    case string
    case entity(EntityType)
    case set(CedarType)
    case record([String: Attribute])
    case `extension`(ExtensionType)

    init(_ type: SchemaType) {
        switch type {
        case .bool: self = .bool(.any)
        case .long: self = .long
        case .string: self = .string
        case .entity(let name): self = .entity(name)
        case .set(let element): self = .set(CedarType(element))
        case .record(let record): self = .record(record.attributes.mapValues { Attribute(type: CedarType($0.type), isRequired: $0.isRequired) })
        case .extension(let ext): self = .extension(ext)
        }
    }

    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }

    /// The least upper bound of two types, if they have one.
    static func lub(_ a: CedarType, _ b: CedarType) -> CedarType? {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return .bool(x == y ? x : .any)
        case (.set(let x), .set(let y)): return lub(x, y).map { .set($0) }
        case (.record(let x), .record(let y)):
            guard Set(x.keys) == Set(y.keys) else { return nil }
            var fields: [String: Attribute] = [:]
            for (key, left) in x {
                guard let right = y[key], let type = lub(left.type, right.type) else { return nil }
                fields[key] = Attribute(type: type, isRequired: left.isRequired && right.isRequired)
            }
            return .record(fields)
        default:
            return a == b ? a : nil
        }
    }

    var description: String {
        switch self {
        case .bool(.alwaysTrue): "True"
        case .bool(.alwaysFalse): "False"
        case .bool(.any): "Bool"
        case .long: "Long"
        case .string: "String"
        case .entity(let type): type.name
        case .set(let element): "Set<\(element)>"
        case .record(let fields):
            "{" + fields.keys.sorted().map { "\($0)\(fields[$0]!.isRequired ? "" : "?"): \(fields[$0]!.type)" }
                .joined(separator: ", ") + "}"
        case .extension(let ext): ext.rawValue
        }
    }
}

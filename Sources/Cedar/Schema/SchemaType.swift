/// A type in a Cedar schema.
public indirect enum SchemaType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case long
    case string
    case set(SchemaType)
    case record(RecordType)
    case entity(EntityType)
    case `extension`(ExtensionType)

    public var description: String {
        switch self {
        case .bool: "Bool"
        case .long: "Long"
        case .string: "String"
        case .set(let element): "Set<\(element)>"
        case .record(let record): record.description
        case .entity(let type): type.name
        case .extension(let ext): ext.rawValue
        }
    }
}

/// The extension types: `ipaddr`, `decimal`, `datetime`, `duration`.
public enum ExtensionType: String, Hashable, Sendable, CaseIterable {
    case ipaddr, decimal, datetime, duration

    /// The constructor that turns a string into a value of this type.
    var constructor: ExtensionFunction {
        switch self {
        case .ipaddr: .ip
        case .decimal: .decimal
        case .datetime: .datetime
        case .duration: .duration
        }
    }

    /// The extension type a constructor produces.
    init?(constructor: ExtensionFunction) {
        guard let match = Self.allCases.first(where: { $0.constructor == constructor }) else { return nil }
        self = match
    }
}

/// A record type: named attributes, each required or optional.
public struct RecordType: Hashable, Sendable, CustomStringConvertible {
    public var attributes: [String: AttributeType]
    /// When true, values may carry attributes the type does not name (JSON schema
    /// `additionalAttributes`); never true for entity shapes or contexts written in Cedar syntax.
    public var additionalAttributes: Bool

    public init(attributes: [String: AttributeType] = [:], additionalAttributes: Bool = false) {
        self.attributes = attributes
        self.additionalAttributes = additionalAttributes
    }

    public var description: String {
        let fields = attributes.keys.sorted().map { key in
            let attribute = attributes[key]!
            return "\(key)\(attribute.isRequired ? "" : "?"): \(attribute.type)"
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// The type of one record attribute and whether it must be present.
public struct AttributeType: Hashable, Sendable {
    public var type: SchemaType
    public var isRequired: Bool

    public init(type: SchemaType, isRequired: Bool = true) {
        self.type = type
        self.isRequired = isRequired
    }
}

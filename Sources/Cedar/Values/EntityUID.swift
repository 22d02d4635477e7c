/// The name of an entity type, fully qualified with its namespace (`"Photos::User"`).
public struct EntityType: Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    /// The action entity type for a namespace (`Action`, or `NS::Action`).
    public static let action = EntityType("Action")

    /// True for `Action` and `NS::Action`.
    public var isAction: Bool { name == "Action" || name.hasSuffix("::Action") }

    public var description: String { name }
    public static func < (lhs: EntityType, rhs: EntityType) -> Bool { ExactString.less(lhs.name, rhs.name) }
}

/// The unique identifier of an entity: its type and its id, written `Type::"id"`.
public struct EntityUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let type: EntityType
    public let id: String
    /// FNV-1a over the UTF-8 bytes of type and id, computed once: uids are looked up far more often
    /// than they are made, and hashing this word costs less than hashing both strings every time.
    let digest: UInt64

    public init(type: EntityType, id: String) {
        self.type = type
        self.id = id
        self.digest = Self.digest(type.name, id)
    }

    public init(_ type: String, _ id: String) {
        self.init(type: EntityType(type), id: id)
    }

    private static func digest(_ type: String, _ id: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in type.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        // A separator no UTF-8 text contains, so ("ab", "c") and ("a", "bc") differ.
        hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01b3
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    public var description: String { "\(type.name)::\(CedarString.quoted(id))" }

    public static func < (lhs: EntityUID, rhs: EntityUID) -> Bool {
        lhs.type == rhs.type ? ExactString.less(lhs.id, rhs.id) : lhs.type < rhs.type
    }
}

/// Cedar's string escaping, shared by the formatter and error messages.
enum CedarString {
    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// A Cedar value.
///
/// Sets are unordered and hold each value once; records map attribute names to values.
/// Equality is Cedar's `==`: structural, and `false` (never an error) across types.
public enum Value: Hashable, Sendable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    case set(Set<Value>)
    case record([String: Value])
    case decimal(CedarDecimal)
    case ipaddr(IPAddr)
    case datetime(CedarDatetime)
    case duration(CedarDuration)

    /// The name of this value's type, as Cedar's error messages say it.
    public var typeName: String {
        switch self {
        case .bool: "bool"
        case .long: "long"
        case .string: "string"
        case .entity(let uid): "(entity of type `\(uid.type)`)"
        case .set: "set"
        case .record: "record"
        case .decimal: "decimal"
        case .ipaddr: "ipaddr"
        case .datetime: "datetime"
        case .duration: "duration"
        }
    }
}

extension Value: CustomStringConvertible {
    /// The value written as a Cedar expression; sets and records in a stable order.
    public var description: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .long(let n): return String(n)
        case .string(let s): return CedarString.quoted(s)
        case .entity(let uid): return uid.description
        case .set(let elements): return "[" + elements.map(\.description).sorted().joined(separator: ", ") + "]"
        case .record(let fields):
            let inner = fields.keys.sorted().map { "\(CedarString.quoted($0)): \(fields[$0]!.description)" }
            return "{" + inner.joined(separator: ", ") + "}"
        case .decimal(let d): return "decimal(\"\(d)\")"
        case .ipaddr(let ip): return "ip(\"\(ip)\")"
        case .datetime(let d): return "datetime(\"\(d)\")"
        case .duration(let d): return "duration(\"\(d)\")"
        }
    }
}

/// The id of an agent: 1-63 characters of `a-z`, `0-9`, `.`, `-`, `_`, starting with a letter or digit.
/// It becomes a SPIFFE path segment and a Cedar entity id, so it is kept this plain.
public struct AgentID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    public init(_ rawValue: String) throws(CustosError) {
        let bytes = Array(rawValue.utf8)
        func allowed(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
        }
        guard (1...63).contains(bytes.count), bytes.allSatisfy(allowed), bytes[0] != UInt8(ascii: "."),
            bytes[0] != UInt8(ascii: "-"), bytes[0] != UInt8(ascii: "_")
        else {
            throw .invalidRequest("an agent id is 1-63 characters of a-z, 0-9, '.', '-', '_', starting with a letter or digit")
        }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// A new random id, `agt-` followed by 16 hex digits.
    public static func random() -> AgentID {
        var generator = SystemRandomNumberGenerator()
        let value = UInt64.random(in: .min ... .max, using: &generator)
        let hex = String(value, radix: 16)
        return AgentID(unchecked: "agt-" + String(repeating: "0", count: 16 - hex.count) + hex)
    }

    public var description: String { rawValue }
    public static func < (lhs: AgentID, rhs: AgentID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

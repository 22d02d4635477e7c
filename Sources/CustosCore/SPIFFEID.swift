/// A SPIFFE ID, `spiffe://<trust-domain>/<path>`, checked against the SPIFFE ID specification:
/// lowercase trust domain of `[a-z0-9._-]`, path segments of `[A-Za-z0-9._-]` that are not empty,
/// `.` or `..`, no query, fragment, port or user info, at most 2048 bytes.
public struct SPIFFEID: Hashable, Sendable, CustomStringConvertible, Codable {
    public let trustDomain: String
    /// The path without its leading slash, e.g. `agent/a1/i/7f3c`.
    public let path: String

    public init(trustDomain: String, path: String) throws(CustosError) {
        try Self.checkTrustDomain(trustDomain)
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            try Self.checkSegment(segment)
        }
        self.trustDomain = trustDomain
        self.path = path
    }

    public init(parsing text: String) throws(CustosError) {
        guard text.utf8.count <= 2048 else { throw .invalidRequest("a SPIFFE ID is at most 2048 bytes") }
        guard text.hasPrefix("spiffe://") else { throw .invalidRequest("a SPIFFE ID starts with spiffe://") }
        let rest = text.dropFirst("spiffe://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw .invalidRequest("a SPIFFE ID of a workload has a path after the trust domain")
        }
        try self.init(trustDomain: String(rest[..<slash]), path: String(rest[rest.index(after: slash)...]))
    }

    /// The identity of an agent: `spiffe://<td>/agent/<id>`.
    public static func agent(_ id: AgentID, trustDomain: String) throws(CustosError) -> SPIFFEID {
        try SPIFFEID(trustDomain: trustDomain, path: "agent/\(id.rawValue)")
    }

    /// The identity of one running instance of an agent: `spiffe://<td>/agent/<id>/i/<instance>`.
    public static func instance(_ id: AgentID, instance: String, trustDomain: String) throws(CustosError) -> SPIFFEID {
        try SPIFFEID(trustDomain: trustDomain, path: "agent/\(id.rawValue)/i/\(instance)")
    }

    /// Checks the name of an agent instance: one path segment of 1-128 characters.
    public static func validateInstanceName(_ name: String) throws(CustosError) {
        guard !name.isEmpty, name.utf8.count <= 128, !name.contains("/"), (try? checkSegment(name[...])) != nil else {
            throw .invalidRequest("an instance name is 1-128 characters of A-Z, a-z, 0-9, '.', '-', '_'")
        }
    }

    static func checkTrustDomain(_ domain: String) throws(CustosError) {
        guard !domain.isEmpty, domain.utf8.count <= 255,
            domain.utf8.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            })
        else { throw .invalidRequest("a trust domain is 1-255 characters of a-z, 0-9, '.', '-' and '_'") }
    }

    private static func checkSegment(_ segment: Substring) throws(CustosError) {
        guard !segment.isEmpty, segment != ".", segment != "..",
            segment.utf8.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".")
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
            })
        else { throw .invalidRequest("SPIFFE ID path segments are non-empty, not '.' or '..', of A-Z, a-z, 0-9, '.', '-', '_'") }
    }

    public var description: String { "spiffe://\(trustDomain)/\(path)" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try SPIFFEID(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

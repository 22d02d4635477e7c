/// An error from the control plane. Compared by code only; the message is safe to show to clients
/// and never contains secrets.
public struct CustosError: Error, Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Kind: String, Hashable, Sendable {
        case invalidRequest = "invalid_request"
        case notFound = "not_found"
        case conflict
        case unauthorized
        case forbidden
        case unavailable
        case internalError = "internal_error"
    }

    /// What kind of failure this is; maps to an HTTP status at the edge.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let kind: Kind
        public static let invalidRequest = Code(kind: .invalidRequest)
        public static let notFound = Code(kind: .notFound)
        public static let conflict = Code(kind: .conflict)
        public static let unauthorized = Code(kind: .unauthorized)
        public static let forbidden = Code(kind: .forbidden)
        public static let unavailable = Code(kind: .unavailable)
        public static let internalError = Code(kind: .internalError)
        /// The machine-readable name, e.g. `invalid_request`.
        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func invalidRequest(_ message: String) -> CustosError { CustosError(.invalidRequest, message) }
    public static func notFound(_ message: String) -> CustosError { CustosError(.notFound, message) }
    public static func conflict(_ message: String) -> CustosError { CustosError(.conflict, message) }
    public static func unauthorized(_ message: String) -> CustosError { CustosError(.unauthorized, message) }
    public static func forbidden(_ message: String) -> CustosError { CustosError(.forbidden, message) }
    public static func unavailable(_ message: String) -> CustosError { CustosError(.unavailable, message) }
    public static func internalError(_ message: String) -> CustosError { CustosError(.internalError, message) }

    public static func == (lhs: CustosError, rhs: CustosError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(message)" }
}

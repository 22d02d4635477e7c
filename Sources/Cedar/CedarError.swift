/// An error raised while parsing, loading or evaluating Cedar.
///
/// Errors compare equal when their codes are equal; the message is for people and may change.
public struct CedarError: Error, Hashable, CustomStringConvertible, Sendable {
    fileprivate enum Kind: Hashable, Sendable {
        case parse
        case json
        case entity
        case schema
        case evaluation
        case link
        case validation
    }

    /// What went wrong, without the details.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let kind: Kind

        public static let parse = Code(kind: .parse)
        public static let json = Code(kind: .json)
        public static let entity = Code(kind: .entity)
        public static let schema = Code(kind: .schema)
        public static let evaluation = Code(kind: .evaluation)
        public static let link = Code(kind: .link)
        public static let validation = Code(kind: .validation)

        public var description: String {
            switch kind {
            case .parse: "parse error"
            case .json: "JSON error"
            case .entity: "entity error"
            case .schema: "schema error"
            case .evaluation: "evaluation error"
            case .link: "template link error"
            case .validation: "validation error"
            }
        }
    }

    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// Where in the source the error was found, when it came from text.
    public let location: SourceLocation?

    private init(code: Code, message: String, location: SourceLocation?) {
        self.code = code
        self.message = message
        self.location = location
    }

    public static func parse(_ message: String, at location: SourceLocation) -> CedarError {
        CedarError(code: .parse, message: message, location: location)
    }

    public static func json(_ message: String) -> CedarError {
        CedarError(code: .json, message: message, location: nil)
    }

    public static func entity(_ message: String) -> CedarError {
        CedarError(code: .entity, message: message, location: nil)
    }

    public static func schema(_ message: String, at location: SourceLocation? = nil) -> CedarError {
        CedarError(code: .schema, message: message, location: location)
    }

    public static func evaluation(_ message: String) -> CedarError {
        CedarError(code: .evaluation, message: message, location: nil)
    }

    public static func link(_ message: String) -> CedarError {
        CedarError(code: .link, message: message, location: nil)
    }

    public static func validation(_ message: String, at location: SourceLocation? = nil) -> CedarError {
        CedarError(code: .validation, message: message, location: location)
    }

    public static func == (lhs: CedarError, rhs: CedarError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        if let location { return "\(code) at \(location): \(message)" }
        return "\(code): \(message)"
    }
}

/// A position in Cedar source text: 1-based line and column (in Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// Offset in Unicode scalars from the start of the text.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column)" }
}

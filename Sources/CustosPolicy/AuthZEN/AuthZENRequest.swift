public import Cedar
public import CustosCore

/// A subject or resource of an AuthZEN request: `{"type", "id", "properties"}`.
///
/// Draft 00 of the specification put properties beside `type` and `id`; members other than those three
/// are read as properties too (a member of `properties` wins over one of the same name beside it).
public struct AuthZENEntity: Hashable, Sendable {
    public var type: String
    public var id: String
    public var properties: [String: JSONValue]

    public init(type: String, id: String, properties: [String: JSONValue] = [:]) {
        self.type = type
        self.id = id
        self.properties = properties
    }

    public var uid: EntityUID { EntityUID(type: EntityType(type), id: id) }
}

/// One access evaluation: may `subject` do `action` to `resource` in `context`?
public struct AuthZENEvaluation: Hashable, Sendable {
    public var subject: AuthZENEntity
    public var action: String
    public var resource: AuthZENEntity
    public var context: [String: JSONValue]

    public init(subject: AuthZENEntity, action: String, resource: AuthZENEntity, context: [String: JSONValue] = [:]) {
        self.subject = subject
        self.action = action
        self.resource = resource
        self.context = context
    }
}

/// How a batch stops early (AuthZEN 1.0 `options.evaluations_semantic`).
public enum EvaluationsSemantic: String, Hashable, Sendable, CaseIterable {
    case executeAll = "execute_all"
    case denyOnFirstDeny = "deny_on_first_deny"
    case permitOnFirstPermit = "permit_on_first_permit"
}

/// The parts of an evaluation a request gives, any of which may be missing (batch items take the
/// missing ones from the request's top level).
public struct AuthZENParts: Hashable, Sendable {
    public var subject: AuthZENEntity?
    public var action: String?
    public var resource: AuthZENEntity?
    public var context: [String: JSONValue]?

    public init(
        subject: AuthZENEntity? = nil, action: String? = nil, resource: AuthZENEntity? = nil,
        context: [String: JSONValue]? = nil
    ) {
        self.subject = subject
        self.action = action
        self.resource = resource
        self.context = context
    }

    /// Reads the four members of `object`; unknown members are ignored, present members of the wrong
    /// shape are errors naming the member (prefixed with `path`).
    public init(json object: [String: JSONValue], path: String = "") throws(CustosError) {
        subject = try Self.entity(object["subject"], "\(path)subject")
        resource = try Self.entity(object["resource"], "\(path)resource")
        if let action = object["action"] {
            guard case .object(let fields) = action else { throw .invalidRequest("`\(path)action` must be an object") }
            guard case .string(let name)? = fields["name"], !name.isEmpty else {
                throw .invalidRequest("`\(path)action.name` is required and must be a non-empty string")
            }
            self.action = name
        }
        if let context = object["context"] {
            guard case .object(let fields) = context else { throw .invalidRequest("`\(path)context` must be an object") }
            self.context = fields
        }
    }

    /// These parts with the missing ones taken from `defaults`.
    public func completed(by defaults: AuthZENParts) -> AuthZENParts {
        AuthZENParts(
            subject: subject ?? defaults.subject, action: action ?? defaults.action,
            resource: resource ?? defaults.resource, context: context ?? defaults.context)
    }

    /// The evaluation, or an error naming the first missing part.
    public func evaluation(path: @autoclosure () -> String = "") throws(CustosError) -> AuthZENEvaluation {
        guard let subject else { throw .invalidRequest("`\(path())subject` is required") }
        guard let action else { throw .invalidRequest("`\(path())action` is required") }
        guard let resource else { throw .invalidRequest("`\(path())resource` is required") }
        return AuthZENEvaluation(subject: subject, action: action, resource: resource, context: context ?? [:])
    }

    private static func entity(_ json: JSONValue?, _ path: String) throws(CustosError) -> AuthZENEntity? {
        guard let json else { return nil }
        guard case .object(var fields) = json else { throw .invalidRequest("`\(path)` must be an object") }
        guard case .string(let type)? = fields.removeValue(forKey: "type"), !type.isEmpty else {
            throw .invalidRequest("`\(path).type` is required and must be a non-empty string")
        }
        guard case .string(let id)? = fields.removeValue(forKey: "id") else {
            throw .invalidRequest("`\(path).id` is required and must be a string")
        }
        var properties = fields
        if let nested = properties.removeValue(forKey: "properties") {
            guard case .object(let members) = nested else { throw .invalidRequest("`\(path).properties` must be an object") }
            properties.merge(members) { _, nested in nested }
        }
        return AuthZENEntity(type: type, id: id, properties: properties)
    }
}

/// A batch: top-level defaults, the items, how to stop early.
public struct AuthZENBatch: Hashable, Sendable {
    public var defaults: AuthZENParts
    /// Empty when the request had no (or an empty) `evaluations` array: then it is one evaluation.
    public var items: [AuthZENParts]
    public var semantic: EvaluationsSemantic
    /// `options.explain` (a Custos extension): every decision carries its determining policies and errors.
    public var explain: Bool
    /// Most items accepted in one batch.
    public static let maximumItems = 1_000

    public init(json: JSONValue) throws(CustosError) {
        guard case .object(let object) = json else { throw .invalidRequest("the request body must be a JSON object") }
        defaults = try AuthZENParts(json: object)
        items = []
        if let evaluations = object["evaluations"] {
            guard case .array(let list) = evaluations else { throw .invalidRequest("`evaluations` must be an array") }
            guard list.count <= Self.maximumItems else {
                throw .invalidRequest("at most \(Self.maximumItems) evaluations per request")
            }
            for (index, item) in list.enumerated() {
                guard case .object(let fields) = item else {
                    throw .invalidRequest("`evaluations[\(index)]` must be an object")
                }
                items.append(try AuthZENParts(json: fields, path: "evaluations[\(index)]."))
            }
        }
        semantic = .executeAll
        explain = false
        if let options = object["options"] {
            guard case .object(let fields) = options else { throw .invalidRequest("`options` must be an object") }
            if let value = fields["explain"] {
                guard case .bool(let flag) = value else { throw .invalidRequest("`options.explain` must be a boolean") }
                explain = flag
            }
            if let value = fields["evaluations_semantic"] {
                guard case .string(let name) = value, let semantic = EvaluationsSemantic(rawValue: name) else {
                    throw .invalidRequest(
                        "`options.evaluations_semantic` must be one of execute_all, deny_on_first_deny, permit_on_first_permit")
                }
                self.semantic = semantic
            }
        }
    }
}

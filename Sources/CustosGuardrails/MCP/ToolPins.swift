public import Cedar
public import Foundation

/// What Custos has pinned for one tool of one server: the approved definition, and a changed one
/// waiting for an operator.
public struct ToolPin: Hashable, Sendable, Codable {
    public var server: String
    public var tool: String
    /// The digest and canonical JSON an operator (or first sight) approved; nil until one is.
    public var approvedDigest: String?
    public var approvedDefinition: String?
    /// A different definition the server now offers, blocked until approved.
    public var pendingDigest: String?
    public var pendingDefinition: String?
    public var firstSeenAt: Date
    public var updatedAt: Date
    public var approvedBy: String?

    enum CodingKeys: String, CodingKey {
        case server, tool
        case approvedDigest = "approved_digest"
        case approvedDefinition = "approved_definition"
        case pendingDigest = "pending_digest"
        case pendingDefinition = "pending_definition"
        case firstSeenAt = "first_seen_at"
        case updatedAt = "updated_at"
        case approvedBy = "approved_by"
    }

    public init(
        server: String, tool: String, approvedDigest: String?, approvedDefinition: String?, pendingDigest: String?,
        pendingDefinition: String?, firstSeenAt: Date, updatedAt: Date, approvedBy: String?
    ) {
        self.server = server
        self.tool = tool
        self.approvedDigest = approvedDigest
        self.approvedDefinition = approvedDefinition
        self.pendingDigest = pendingDigest
        self.pendingDefinition = pendingDefinition
        self.firstSeenAt = firstSeenAt
        self.updatedAt = updatedAt
        self.approvedBy = approvedBy
    }
}

/// Where pins are kept.
public protocol ToolPinRepository: Sendable {
    /// Pins of `server`, or of every server when nil, ordered by server and tool.
    func pins(server: String?) async throws(GuardrailError) -> [ToolPin]
    func save(_ pin: ToolPin) async throws(GuardrailError)
}

/// How a tool stands after its server's list was looked at.
public enum ToolStatus: String, Sendable, Codable {
    /// Seen for the first time, without findings: pinned as it is (trust on first use).
    case pinned
    /// The same as the approved definition.
    case allowed
    /// Different from the approved definition (a rug pull, or an update): blocked until approved.
    case changed
    /// Seen for the first time with poisoning findings: blocked until approved.
    case blocked
}

/// Tool pinning: the first definition of each tool is recorded by digest; any later difference blocks
/// the tool until an operator approves the new version. A tool that looks poisoned on first sight is
/// not trusted on first use.
public struct ToolPins: Sendable {
    public let repository: any ToolPinRepository
    public let check: ToolPoisoningCheck

    public init(repository: any ToolPinRepository, check: ToolPoisoningCheck = ToolPoisoningCheck()) {
        self.repository = repository
        self.check = check
    }

    public struct Observation: Sendable {
        public var statuses: [(tool: ToolDefinition, status: ToolStatus, approvedDigest: String?)]
        public var findings: [ToolFinding]
    }

    /// Looks at `tools`, the current list of one server: pins, compares, and checks them for poisoning
    /// (against every other server's approved tools too, for shadowing and name collisions).
    public func observe(_ tools: [ToolDefinition], now: Date = Date()) async throws(GuardrailError) -> Observation {
        guard let server = tools.first?.server else { return Observation(statuses: [], findings: []) }
        let all = try await repository.pins(server: nil)
        let known = Dictionary(all.filter { $0.server == server }.map { ($0.tool, $0) }, uniquingKeysWith: { first, _ in first })
        let others = all.filter { $0.server != server }.compactMap { pin -> ToolDefinition? in
            guard let definition = pin.approvedDefinition else { return nil }
            return Self.definition(server: pin.server, canonical: definition)
        }
        let findings = check.check(tools + others).filter { $0.server == server }
        let flagged = Set(findings.map(\.tool))
        var statuses: [(tool: ToolDefinition, status: ToolStatus, approvedDigest: String?)] = []
        for tool in tools {
            let digest = tool.digest
            guard var pin = known[tool.name] else {
                let trusted = !flagged.contains(tool.name)
                try await repository.save(ToolPin(
                    server: server, tool: tool.name, approvedDigest: trusted ? digest : nil,
                    approvedDefinition: trusted ? tool.canonical : nil, pendingDigest: trusted ? nil : digest,
                    pendingDefinition: trusted ? nil : tool.canonical, firstSeenAt: now, updatedAt: now,
                    approvedBy: trusted ? "first-sight" : nil))
                statuses.append((tool, trusted ? .pinned : .blocked, trusted ? digest : nil))
                continue
            }
            if pin.approvedDigest == digest {
                // Back to the approved version: a change that was never approved is forgotten (the audit
                // log keeps its history).
                if pin.pendingDigest != nil {
                    pin.pendingDigest = nil
                    pin.pendingDefinition = nil
                    pin.updatedAt = now
                    try await repository.save(pin)
                }
                statuses.append((tool, .allowed, digest))
                continue
            }
            if pin.pendingDigest != digest {
                pin.pendingDigest = digest
                pin.pendingDefinition = tool.canonical
                pin.updatedAt = now
                try await repository.save(pin)
            }
            statuses.append((tool, pin.approvedDigest == nil ? .blocked : .changed, pin.approvedDigest))
        }
        return Observation(statuses: statuses, findings: findings)
    }

    /// Approves the pending definition of a tool; `digest` must name it (so an operator approves what
    /// they looked at, not whatever arrived since).
    public func approve(server: String, tool: String, digest: String, by approver: String, now: Date = Date())
        async throws(GuardrailError) -> ToolPin
    {
        guard var pin = try await repository.pins(server: server).first(where: { $0.tool == tool }) else {
            throw GuardrailError("no tool \(tool) of server \(server) has been seen", kind: .notFound)
        }
        guard let pending = pin.pendingDigest else {
            throw GuardrailError("tool \(tool) of server \(server) has no change to approve", kind: .conflict)
        }
        guard pending == digest else {
            throw GuardrailError("the pending version of \(tool) is \(pending), not \(digest): look at the diff again", kind: .conflict)
        }
        pin.approvedDigest = pending
        pin.approvedDefinition = pin.pendingDefinition
        pin.pendingDigest = nil
        pin.pendingDefinition = nil
        pin.approvedBy = approver
        pin.updatedAt = now
        try await repository.save(pin)
        return pin
    }

    /// The approved and the pending definition of a tool, field by field (name, description, inputSchema).
    public func diff(server: String, tool: String) async throws(GuardrailError) -> [(field: String, approved: JSONValue?, pending: JSONValue?)] {
        guard let pin = try await repository.pins(server: server).first(where: { $0.tool == tool }) else {
            throw GuardrailError("no tool \(tool) of server \(server) has been seen", kind: .notFound)
        }
        let approved = pin.approvedDefinition.flatMap { try? JSONValue.decode($0) }
        let pending = pin.pendingDefinition.flatMap { try? JSONValue.decode($0) }
        return ["name", "description", "inputSchema"].compactMap { field in
            let old = approved?[field]
            let new = pending?[field]
            return old == new ? nil : (field, old, new)
        }
    }

    static func definition(server: String, canonical: String) -> ToolDefinition? {
        guard let value = try? JSONValue.decode(canonical), case .string(let name)? = value["name"] else { return nil }
        return ToolDefinition(
            server: server, name: name, description: value["description"]?.stringValue ?? "",
            inputSchema: value["inputSchema"] ?? .object([:]))
    }
}

public import Foundation

/// Where an agent is in its life: only `active` agents obtain credentials.
public enum AgentStatus: String, Codable, Hashable, Sendable, CaseIterable {
    case staged, active, suspended, revoked
}

/// The most an agent may ever hold; every credential and delegation is capped by it.
public struct Blueprint: Codable, Hashable, Sendable {
    /// OAuth scopes the agent may be granted.
    public var scopes: [String]
    /// MCP tools (`server/tool`) the agent may call.
    public var tools: [String]
    /// Upstream servers the agent may reach.
    public var servers: [String]
    /// Longest lifetime of any credential issued to the agent, in seconds.
    public var maxCredentialTTLSeconds: Int
    /// How many delegation hops below this agent are allowed (0: it cannot delegate).
    public var maxDelegationDepth: Int
    /// Whether the agent may spawn sub-agents.
    public var maySpawn: Bool

    public static let defaultCredentialTTLSeconds = 300
    public static let maximumCredentialTTLSeconds = 86_400

    public init(
        scopes: [String] = [], tools: [String] = [], servers: [String] = [],
        maxCredentialTTLSeconds: Int = Blueprint.defaultCredentialTTLSeconds, maxDelegationDepth: Int = 0,
        maySpawn: Bool = false
    ) {
        self.scopes = scopes
        self.tools = tools
        self.servers = servers
        self.maxCredentialTTLSeconds = maxCredentialTTLSeconds
        self.maxDelegationDepth = maxDelegationDepth
        self.maySpawn = maySpawn
    }

    enum CodingKeys: String, CodingKey {
        case scopes, tools, servers
        case maxCredentialTTLSeconds = "max_credential_ttl_seconds"
        case maxDelegationDepth = "max_delegation_depth"
        case maySpawn = "may_spawn"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        scopes = try c.strict([String].self, .scopes) ?? []
        tools = try c.strict([String].self, .tools) ?? []
        servers = try c.strict([String].self, .servers) ?? []
        maxCredentialTTLSeconds = try c.strict(Int.self, .maxCredentialTTLSeconds) ?? Self.defaultCredentialTTLSeconds
        maxDelegationDepth = try c.strict(Int.self, .maxDelegationDepth) ?? 0
        maySpawn = try c.strict(Bool.self, .maySpawn) ?? false
    }

    func validate() throws(CustosError) {
        try Limits.list(scopes, "blueprint.scopes")
        try Limits.list(tools, "blueprint.tools")
        try Limits.list(servers, "blueprint.servers")
        guard (1...Self.maximumCredentialTTLSeconds).contains(maxCredentialTTLSeconds) else {
            throw .invalidRequest("blueprint.max_credential_ttl_seconds must be 1-\(Self.maximumCredentialTTLSeconds)")
        }
        guard (0...16).contains(maxDelegationDepth) else {
            throw .invalidRequest("blueprint.max_delegation_depth must be 0-16")
        }
    }
}

/// An AI agent known to the control plane, with the human accountable for it.
public struct Agent: Codable, Hashable, Sendable {
    public var id: AgentID
    public var name: String
    /// The human accountable for the agent (required).
    public var sponsor: String
    public var owners: [String]
    public var purpose: String
    /// The trust zone the agent lives in.
    public var zone: String
    public var groups: [String]
    public var blueprint: Blueprint
    public var status: AgentStatus
    /// Bumped to invalidate every credential issued before.
    public var revocationEpoch: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var lastSeenAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, sponsor, owners, purpose, zone, groups, blueprint, status
        case revocationEpoch = "revocation_epoch"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastSeenAt = "last_seen_at"
    }

    public init(
        id: AgentID, name: String, sponsor: String, owners: [String], purpose: String, zone: String,
        groups: [String], blueprint: Blueprint, status: AgentStatus, revocationEpoch: Int, createdAt: Date,
        updatedAt: Date, lastSeenAt: Date?
    ) {
        self.id = id
        self.name = name
        self.sponsor = sponsor
        self.owners = owners
        self.purpose = purpose
        self.zone = zone
        self.groups = groups
        self.blueprint = blueprint
        self.status = status
        self.revocationEpoch = revocationEpoch
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastSeenAt = lastSeenAt
    }
}

extension KeyedDecodingContainer {
    /// An optional field that, when present, must have the declared type: `null` is not a value.
    public func strict<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        contains(key) ? try decode(T.self, forKey: key) : nil
    }
}

/// What a client sends to register an agent. The id is generated when absent.
public struct AgentRegistration: Codable, Hashable, Sendable {
    public var id: AgentID?
    public var name: String
    public var sponsor: String
    public var owners: [String]?
    public var purpose: String?
    public var zone: String?
    public var groups: [String]?
    public var blueprint: Blueprint?

    public init(
        id: AgentID? = nil, name: String, sponsor: String, owners: [String]? = nil, purpose: String? = nil,
        zone: String? = nil, groups: [String]? = nil, blueprint: Blueprint? = nil
    ) {
        self.id = id
        self.name = name
        self.sponsor = sponsor
        self.owners = owners
        self.purpose = purpose
        self.zone = zone
        self.groups = groups
        self.blueprint = blueprint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.strict(AgentID.self, .id)
        name = try c.decode(String.self, forKey: .name)
        sponsor = try c.decode(String.self, forKey: .sponsor)
        owners = try c.strict([String].self, .owners)
        purpose = try c.strict(String.self, .purpose)
        zone = try c.strict(String.self, .zone)
        groups = try c.strict([String].self, .groups)
        blueprint = try c.strict(Blueprint.self, .blueprint)
    }
}

/// A partial update: only the fields present change. Status changes go through suspend/reactivate.
public struct AgentUpdate: Codable, Hashable, Sendable {
    public var name: String?
    public var sponsor: String?
    public var owners: [String]?
    public var purpose: String?
    public var zone: String?
    public var groups: [String]?
    public var blueprint: Blueprint?

    public init(
        name: String? = nil, sponsor: String? = nil, owners: [String]? = nil, purpose: String? = nil,
        zone: String? = nil, groups: [String]? = nil, blueprint: Blueprint? = nil
    ) {
        self.name = name
        self.sponsor = sponsor
        self.owners = owners
        self.purpose = purpose
        self.zone = zone
        self.groups = groups
        self.blueprint = blueprint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.strict(String.self, .name)
        sponsor = try c.strict(String.self, .sponsor)
        owners = try c.strict([String].self, .owners)
        purpose = try c.strict(String.self, .purpose)
        zone = try c.strict(String.self, .zone)
        groups = try c.strict([String].self, .groups)
        blueprint = try c.strict(Blueprint.self, .blueprint)
    }
}

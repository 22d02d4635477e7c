public import Cedar
public import CustosCore

/// The registry as Cedar entities: every agent becomes `Agent::"<id>"` (member of its groups and its
/// zone) with its sponsor, owners, purpose, status and blueprint as attributes; the users, groups and
/// zones it names exist as entities even when nothing else defines them.
public enum RegistryProjection {
    public static func uid(_ agent: AgentID) -> EntityUID { EntityUID(type: "Agent", id: agent.rawValue) }
    public static func user(_ name: String) -> EntityUID { EntityUID(type: "User", id: name) }
    public static func group(_ name: String) -> EntityUID { EntityUID(type: "Group", id: name) }
    public static func zone(_ name: String) -> EntityUID { EntityUID(type: "Zone", id: name) }

    /// `AgentInstance::"<agent>/<instance>"`, a member of its agent.
    public static func instance(_ agent: AgentID, _ instance: String) -> Entity {
        Entity(
            uid: EntityUID(type: "AgentInstance", id: "\(agent.rawValue)/\(instance)"),
            attributes: ["agent": .entity(uid(agent)), "instance": .string(instance)], parents: [uid(agent)])
    }

    /// The instance entity for `uid` when it is an `AgentInstance` named `"<agent>/<instance>"` and
    /// `entities` holds that agent; nil otherwise.
    public static func instance(named uid: EntityUID, in entities: Entities) -> Entity? {
        guard uid.type.name == "AgentInstance", let slash = uid.id.firstIndex(of: "/"),
            let agent = try? AgentID(String(uid.id[..<slash])), entities[Self.uid(agent)] != nil
        else { return nil }
        let name = String(uid.id[uid.id.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        return instance(agent, name)
    }

    /// The agent's entity.
    public static func entity(_ agent: Agent) -> Entity {
        let strings = { (values: [String]) in Value.set(Set(values.map(Value.string))) }
        return Entity(
            uid: uid(agent.id),
            attributes: [
                "name": .string(agent.name),
                "sponsor": .entity(user(agent.sponsor)),
                "owners": .set(Set(agent.owners.map { .entity(user($0)) })),
                "purpose": .string(agent.purpose),
                "zone": .entity(zone(agent.zone)),
                "status": .string(agent.status.rawValue),
                "scopes": strings(agent.blueprint.scopes),
                "tools": strings(agent.blueprint.tools),
                "servers": strings(agent.blueprint.servers),
                "max_delegation_depth": .long(Int64(agent.blueprint.maxDelegationDepth)),
                "may_spawn": .bool(agent.blueprint.maySpawn),
            ],
            parents: Set(agent.groups.map(group)).union([zone(agent.zone)]))
    }

    /// The entities referenced by `agent` that must exist for attribute access and `in` to work.
    public static func referenced(by agent: Agent) -> [EntityUID] {
        [user(agent.sponsor), zone(agent.zone)] + agent.owners.map(user) + agent.groups.map(group)
    }
}

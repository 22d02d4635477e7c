public import Cedar

/// The Cedar schema of the agent world that Custos ships: who acts (agents and their running
/// instances, on behalf of users), on what (servers, tools, datasets, models, other agents), and the
/// context every decision sees. docs/POLICY.md describes each type; `custos policy schema` prints it.
///
/// Users extend it by writing their own schema file that starts from this text (print it, add
/// entity types, attributes or actions) and naming that file as `policy.schema` in the configuration.
public enum AgentSchema {
    public static let text = """
        // Custos agent domain: entity types.
        entity User in [Group] = { name?: String, email?: String };
        entity Group in [Group];
        entity Zone;
        entity Agent in [Group, Zone] = {
          name: String,
          sponsor: User,
          owners: Set<User>,
          purpose: String,
          zone: Zone,
          status: String,
          scopes: Set<String>,
          tools: Set<String>,
          servers: Set<String>,
          max_delegation_depth: Long,
          may_spawn: Bool,
        };
        entity AgentInstance in [Agent] = { agent: Agent, instance: String };
        entity Server in [Zone] = { classification?: String, vendor?: String };
        entity Tool in [Server, Zone] = { name?: String, classification?: String };
        entity Dataset in [Dataset, Zone] = { classification?: String };
        entity Model in [Zone] = { vendor?: String, classification?: String };

        // The context of every decision.
        type Time = { hour: Long, minute: Long, weekday: Long, date: datetime, zone: String };
        type Delegation = { depth: Long, chain: Set<Agent>, on_behalf_of?: User };
        type Session = { id: String, age_seconds: Long, calls: Long, bytes: Long, taints: Set<String> };
        type Findings = {
          injection_score: decimal,
          injection_flagged: Bool,
          pii: Set<String>,
          secrets: Set<String>,
          labels: Set<String>,
        };
        type Context = {
          time: Time,
          delegation: Delegation,
          session?: Session,
          findings?: Findings,
          approvals: Long,
          source_ip?: ipaddr,
        };

        // Actions.
        action call_tool appliesTo { principal: [AgentInstance, Agent], resource: [Tool, Server], context: Context };
        action read, write, delete, export appliesTo {
          principal: [AgentInstance, Agent], resource: [Dataset, Tool, Server], context: Context
        };
        action delegate, spawn, send_message appliesTo {
          principal: [AgentInstance, Agent], resource: [Agent, AgentInstance], context: Context
        };
        action prompt appliesTo { principal: [AgentInstance, Agent], resource: [Model], context: Context };

        """

    /// The parsed schema.
    public static func schema() throws(CedarError) -> Schema {
        try Schema(cedarSchema: text)
    }
}

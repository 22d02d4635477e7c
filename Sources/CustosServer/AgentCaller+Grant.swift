import CustosCore
import CustosIdentity
import CustosPolicy

extension AgentCaller {
    /// The caller a verified grant names: the executing instance (the outermost `act`), the agent chain
    /// from the first agent the user delegated to down to it, and the user on whose behalf it acts.
    init(grant: GrantClaims, trustDomain: String) throws(CustosError) {
        var chain: [AgentID] = []
        var executing: (AgentID, String)?
        for actor in grant.actors.reversed() {
            let spiffeID = try SPIFFEID(parsing: actor)
            let segments = spiffeID.path.split(separator: "/").map(String.init)
            guard spiffeID.trustDomain == trustDomain, segments.count == 4, segments[0] == "agent", segments[2] == "i" else {
                throw .unauthorized("the grant's chain names \(actor), not an agent instance of this trust domain")
            }
            let agent = try AgentID(segments[1])
            chain.append(agent)
            executing = (agent, segments[3])
        }
        guard let (agent, instance) = executing else { throw .unauthorized("the grant names no actor") }
        self.init(agent: agent, instance: instance, chain: chain, onBehalfOf: grant.sub)
    }
}

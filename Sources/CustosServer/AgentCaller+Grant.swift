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
            let (agent, instance, _) = try AgentInstanceSubject.parse(actor, trustDomain: trustDomain)
            chain.append(agent)
            executing = (agent, instance)
        }
        guard let (agent, instance) = executing else { throw .unauthorized("the grant names no actor") }
        self.init(agent: agent, instance: instance, chain: chain, onBehalfOf: grant.sub)
    }
}

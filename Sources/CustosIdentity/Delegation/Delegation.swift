public import CustosCore
public import Foundation

/// What a token exchange starts from: a user's token from a trusted issuer, or a grant Custos issued.
public enum DelegationParent: Sendable {
    case subject(SubjectClaims)
    case grant(GrantClaims)
}

/// What the exchanging agent asks for.
public struct ExchangeRequest: Sendable {
    /// Requested scopes; nil: everything the parent and the blueprint allow.
    public var scopes: [String]?
    /// The one audience of the new grant; nil: the parent grant's.
    public var audience: String?
    /// Requested lifetime in seconds; nil: the default (5 minutes).
    public var ttl: Int?
    public var singleUse: Bool
    /// The DPoP key thumbprint to bind the grant to.
    public var confirmation: String?

    public init(scopes: [String]?, audience: String?, ttl: Int?, singleUse: Bool, confirmation: String?) {
        self.scopes = scopes
        self.audience = audience
        self.ttl = ttl
        self.singleUse = singleUse
        self.confirmation = confirmation
    }
}

/// The attenuation rules of delegation: a grant never holds more than its parent, than the
/// exchanging agent's blueprint allows, or than was asked for.
public enum Delegation {
    /// The claims of the grant `actor` (an instance of `agent`) obtains from `parent`.
    ///
    /// - `sub` and its issuer stay the parent's: on whose behalf never changes along a chain.
    /// - `act`: the actor, then the parent's chain.
    /// - `scope` = requested ∩ parent ∩ blueprint, in the order asked; empty is `invalid_scope`.
    /// - `aud`: the requested audience, which must be one of the blueprint's servers; a grant derived
    ///   from a grant keeps its parent's audience.
    /// - `exp` ≤ the parent's, lifetime ≤ the blueprint's cap.
    /// - depth: 1 below a user; one more than the parent's below a grant, at most the parent's limit;
    ///   the limit is the smaller of the parent's and depth + the agent's `max_delegation_depth`.
    /// - `may_act` in the user's token, when present, must name the actor (its instance or its agent).
    public static func grant(
        from parent: DelegationParent, actor: VerifiedSVID, agent: Agent, request: ExchangeRequest, issuer: String,
        epoch: Int, now: Date, jti: String = UUID().uuidString.lowercased()
    ) throws(OAuthError) -> GrantClaims {
        guard agent.id == actor.agent, agent.status == .active else {
            throw .invalidGrant("the actor's agent is not active")
        }
        let time = Int64(now.timeIntervalSince1970)
        let parentScopes: [String]
        let parentExpiry: Int64
        let depth: Int
        let parentLimit: Int
        let audience: String
        let chain: [String]
        let subject: String
        let subjectIssuer: String
        switch parent {
        case .subject(let claims):
            if let mayAct = claims.mayAct {
                let agentID = try? SPIFFEID.agent(agent.id, trustDomain: actor.spiffeID.trustDomain).description
                guard mayAct == actor.spiffeID.description || mayAct == agentID else {
                    throw .invalidGrant("the subject token's may_act does not name this agent")
                }
            }
            guard let requested = request.audience else { throw .invalidRequest("audience is required") }
            (parentScopes, parentExpiry, depth, parentLimit) = (claims.scopes, claims.exp, 1, Int.max)
            (audience, chain, subject, subjectIssuer) = (requested, [], claims.subject, claims.issuer)
        case .grant(let claims):
            if let requested = request.audience, requested != claims.aud {
                throw .invalidTarget("a grant derived from a grant keeps its parent's audience \(claims.aud)")
            }
            (parentScopes, parentExpiry, depth, parentLimit) = (claims.scopes, claims.exp, claims.depth + 1, claims.depthLimit)
            (audience, chain, subject, subjectIssuer) = (claims.aud, claims.actors, claims.sub, claims.subjectIssuer)
            guard depth <= parentLimit, depth <= GrantClaims.maximumChain else {
                throw .invalidGrant("the delegation chain may not grow deeper than \(min(parentLimit, GrantClaims.maximumChain))")
            }
        }
        let blueprint = agent.blueprint
        guard blueprint.servers.contains(audience) else {
            throw .invalidTarget("agent \(agent.id) may not reach \(audience) (not among its blueprint's servers)")
        }
        let allowed = Set(parentScopes).intersection(blueprint.scopes)
        var granted: [String] = []
        for scope in request.scopes ?? parentScopes where allowed.contains(scope) && !granted.contains(scope) {
            granted.append(scope)
        }
        guard !granted.isEmpty else {
            throw .invalidScope("no requested scope is held by both the subject token and agent \(agent.id)'s blueprint")
        }
        let lifetime = min(request.ttl ?? Blueprint.defaultCredentialTTLSeconds, blueprint.maxCredentialTTLSeconds)
        let expiry = min(time + Int64(lifetime), parentExpiry)
        guard expiry > time else { throw .invalidGrant("the subject token expires before a grant could be used") }
        return GrantClaims(
            iss: issuer, sub: subject, subjectIssuer: subjectIssuer, aud: audience, scopes: granted, exp: expiry, iat: time,
            jti: jti, actors: [actor.spiffeID.description] + chain, depth: depth,
            depthLimit: min(parentLimit, depth + blueprint.maxDelegationDepth), epoch: epoch, singleUse: request.singleUse,
            confirmation: request.confirmation)
    }
}

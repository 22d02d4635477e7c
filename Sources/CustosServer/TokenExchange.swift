import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import CustosStore
import Foundation
import Hummingbird

/// RFC 8693 token exchange at `POST /oauth2/token`: an agent (the `actor_token`, its JWT-SVID for
/// Custos's issuer identifier) obtains a grant to act on behalf of the subject of `subject_token` (a
/// user's token from a trusted issuer, or a grant passed down to it). The attenuation rules are
/// ``Delegation/grant(from:actor:agent:request:issuer:epoch:now:jti:)``.
struct TokenExchange {
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let jwtType = "urn:ietf:params:oauth:token-type:jwt"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    let plane: ControlPlane

    func exchange(_ form: [String: String], _ request: Request, _ context: CustosRequestContext) async throws -> Response {
        guard let subjectToken = form["subject_token"], let subjectType = form["subject_token_type"] else {
            throw OAuthError.invalidRequest("subject_token and subject_token_type are required")
        }
        guard [Self.jwtType, Self.accessTokenType].contains(subjectType) else {
            throw OAuthError.unsupportedTokenType("subject_token_type must be \(Self.jwtType) or \(Self.accessTokenType)")
        }
        guard let actorToken = form["actor_token"] else { return try await renew(subjectToken, form, request, context) }
        guard let actorType = form["actor_token_type"] else { throw OAuthError.invalidRequest("actor_token_type is required") }
        guard actorType == Self.jwtType else { throw OAuthError.unsupportedTokenType("actor_token_type must be \(Self.jwtType)") }
        if let requested = form["requested_token_type"], ![Self.jwtType, Self.accessTokenType].contains(requested) {
            throw OAuthError.invalidRequest("requested_token_type must be \(Self.accessTokenType) or \(Self.jwtType)")
        }
        var exchangeRequest = try Self.request(form)
        let now = Date()
        // A DPoP proof binds the new grant to the proof's key (RFC 9449 §5).
        exchangeRequest.confirmation = try IdentityRoutes.proofKey(request, plane: plane, now: now)
        let actor = try Self.boundSVID(actorToken, role: "actor token", proofKey: exchangeRequest.confirmation, plane: plane, now: now)
        let agent: Agent
        do {
            agent = try await plane.registry.agent(actor.agent)
            try plane.revocations.checkIssuable(agent: agent.id, instance: actor.instance)
        } catch {
            throw OAuthError.invalidGrant("the actor: \(error.message)")
        }
        let parent = try await self.parent(subjectToken, now: now)
        // A bound grant is passed on only by the holder of its key, and the child stays bound to it.
        if case .grant(let parentClaims) = parent {
            try IdentityRoutes.requireProof(by: parentClaims.confirmation, in: exchangeRequest.confirmation, for: "subject token")
            try await checkSpawn(from: parentClaims, to: agent)
        }
        let claims = try Delegation.grant(
            from: parent, actor: actor, agent: agent, request: exchangeRequest, issuer: plane.configuration.effectiveIssuer,
            epoch: plane.revocations.currentEpoch, now: now)
        // A single-use parent is spent by this exchange, and only after every other check passed.
        if case .grant(let parentClaims) = parent, parentClaims.singleUse {
            guard try await plane.store.revocations.consumeOnce(
                jti: parentClaims.jti, expiresAt: Date(timeIntervalSince1970: TimeInterval(parentClaims.exp)))
            else { throw OAuthError.invalidGrant("the subject token was for single use and has been used") }
        }
        let token = try plane.grantIssuer.sign(claims)
        var details: [String: JSONValue] = [
            "audience": .string(claims.aud), "scope": .string(claims.scopes.joined(separator: " ")), "jti": .string(claims.jti),
            "expires": .integer(claims.exp), "depth": .integer(Int64(claims.depth)),
            "actors": .array(claims.actors.map(JSONValue.string)), "subject_issuer": .string(claims.subjectIssuer),
        ]
        if claims.singleUse { details["single_use"] = .bool(true) }
        if case .grant(let parentClaims) = parent { details["parent_jti"] = .string(parentClaims.jti) }
        // Released only once the issuance is durable in the audit log.
        try await plane.audit.recordEvent(
            "grant.issued", agent: agent, executedBy: actor.spiffeID.description, authorizedBy: claims.sub, details: details)
        var response = try TokenResponse(
            accessToken: token, tokenType: TokenResponse.tokenType(boundTo: claims.confirmation), expiresIn: Int(claims.exp - claims.iat),
            issuedTokenType: Self.accessTokenType,
            spiffeID: nil, scope: claims.scopes.joined(separator: " ")
        ).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// Without an actor, an agent exchanges its own JWT-SVID for Custos for a new JWT-SVID of the same
    /// instance, for the `audience` it names (renewal before expiry, or another audience). The agent
    /// must still be active and the instance not revoked; the lifetime is capped by the blueprint.
    private func renew(_ subjectToken: String, _ form: [String: String], _ request: Request, _ context: CustosRequestContext)
        async throws -> Response
    {
        guard let audience = form["audience"] ?? form["resource"], !audience.isEmpty, audience.utf8.count <= 512 else {
            throw OAuthError.invalidRequest("renewing a JWT-SVID needs an audience of 1-512 bytes")
        }
        if let requested = form["requested_token_type"], requested != Self.jwtType {
            throw OAuthError.invalidRequest("renewing a JWT-SVID issues \(Self.jwtType); a grant needs an actor_token")
        }
        let now = Date()
        let confirmation = try IdentityRoutes.proofKey(request, plane: plane, now: now)
        let current = try Self.boundSVID(
            subjectToken, role: "subject token (renewal takes the agent's own JWT-SVID for Custos)", proofKey: confirmation,
            plane: plane, now: now)
        let agent: Agent
        do {
            agent = try await plane.registry.agent(current.agent)
        } catch {
            throw OAuthError.invalidGrant(error.message)
        }
        return try await IdentityRoutes.releaseSVID(
            plane: plane, agent: agent, instance: current.instance, audience: audience, requestedTTL: try FormBody.ttl(form),
            authorizedBy: current.spiffeID.description, confirmation: confirmation, now: now, request: request, context: context)
    }

    /// Handing a grant to another agent is how an agent spawns a sub-agent: the agent that last held
    /// the grant must be allowed to (its blueprint's `may_spawn`). Another instance of the same agent
    /// may take it over without.
    private func checkSpawn(from parent: GrantClaims, to actor: Agent) async throws(OAuthError) {
        guard let holder = parent.actors.first,
            let (holderID, _, _) = try? AgentInstanceSubject.parse(holder, trustDomain: plane.configuration.trustDomain)
        else { throw .invalidGrant("the subject token names no agent that holds it") }
        guard holderID != actor.id else { return }
        let holderAgent: Agent
        do {
            holderAgent = try await plane.registry.agent(holderID)
        } catch {
            throw .invalidGrant("the agent holding the subject token: \(error.message)")
        }
        guard holderAgent.blueprint.maySpawn else {
            throw .invalidGrant("agent \(holderID) may not spawn sub-agents (its blueprint's may_spawn): it cannot hand its grant to \(actor.id)")
        }
    }

    /// An agent's JWT-SVID for Custos presented in a token request's body. If it is DPoP-bound, the
    /// request's own proof (already checked) must be by the key it is bound to.
    private static func boundSVID(
        _ token: String, role: String, proofKey: String?, plane: ControlPlane, now: Date
    ) throws(OAuthError) -> VerifiedSVID {
        let svid: VerifiedSVID
        do {
            svid = try plane.verifier.verifyIgnoringBinding(token, audience: plane.configuration.effectiveIssuer, now: now)
        } catch {
            throw .invalidGrant("the \(role): \(error.message)")
        }
        try IdentityRoutes.requireProof(by: svid.claims.confirmation, in: proofKey, for: role)
        return svid
    }

    /// The subject token, verified: a Custos grant (by its `at+jwt` type and our issuer), or a user's
    /// token from a trusted issuer.
    private func parent(_ token: String, now: Date) async throws(OAuthError) -> DelegationParent {
        // Split once; a token that does not split is nobody's we trust.
        guard let parts = try? JWS.parse(token, algorithms: TrustedIssuer.algorithms) else {
            throw .invalidGrant("the subject token's issuer is not trusted here")
        }
        if parts.header.alg == "ES256", parts.header.typ == GrantClaims.type,
            TrustedIssuer.unverifiedIssuer(of: parts) == plane.configuration.effectiveIssuer
        {
            do {
                return .grant(try plane.grantVerifier.verify(token, audience: nil, now: now))
            } catch {
                throw .invalidGrant("the subject token: \(error.message)")
            }
        }
        return .subject(try await plane.trustedIssuers.verify(parts, now: now))
    }

    /// Scope, audience (or `resource`), lifetime and single use from the form.
    static func request(_ form: [String: String]) throws(OAuthError) -> ExchangeRequest {
        var scopes: [String]?
        if let text = form["scope"] {
            let list = text.split(separator: " ").map(String.init)
            guard !list.isEmpty, list.count <= Limits.listItems, list.allSatisfy({ $0.utf8.count <= Limits.text }) else {
                throw .invalidScope("scope is 1-\(Limits.listItems) space-separated scopes of at most \(Limits.text) bytes")
            }
            scopes = list
        }
        if let audience = form["audience"], let resource = form["resource"], audience != resource {
            throw .invalidTarget("audience and resource name different targets; a grant has one audience")
        }
        let audience = form["audience"] ?? form["resource"]
        if let audience, audience.isEmpty || audience.utf8.count > 512 {
            throw .invalidTarget("the audience is 1-512 bytes")
        }
        let singleUse: Bool
        switch form["single_use"] {
        case nil, "false": singleUse = false
        case "true": singleUse = true
        default: throw .invalidRequest("single_use is true or false")
        }
        let ttl: Int?
        do {
            ttl = try FormBody.ttl(form)
        } catch {
            throw .invalidRequest("ttl must be a positive number of seconds")
        }
        return ExchangeRequest(scopes: scopes, audience: audience, ttl: ttl, singleUse: singleUse, confirmation: nil)
    }
}

import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import CustosStore
import Foundation
import Hummingbird
import Logging

/// Bootstrap with a registered key (`private_key_jwt`, RFC 7523 §2.2 with RFC 7521): the agent signs
/// a short assertion with a key registered for it and gets a JWT-SVID, as a join token would give it,
/// but as often as it needs, without a secret on the wire.
///
/// `grant_type=client_credentials`, `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
/// `client_assertion` = a JWT with `iss` = `sub` = the agent id, `aud` = Custos's issuer identifier
/// or the token endpoint's URL, `exp` at most 5 minutes ahead, and a `jti` that is spent on first use;
/// plus `audience`, and optionally `instance` and `ttl`, as for a join token.
struct ClientAssertionGrant {
    static let grantType = "client_credentials"
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    static let maximumLifetime: Int64 = 300
    let plane: ControlPlane

    private struct Claims: Decodable {
        let iss: String
        let sub: String
        let aud: OneOrMany
        let exp: Int64
        let jti: String
    }

    func issue(_ form: [String: String], _ request: Request, _ context: CustosRequestContext) async throws -> Response {
        guard form["client_assertion_type"] == Self.assertionType, let assertion = form["client_assertion"] else {
            throw OAuthError.invalidClient("client_credentials needs client_assertion_type \(Self.assertionType) and a client_assertion")
        }
        let (audience, instance, requestedTTL) = try FormBody.svidRequest(form)
        let now = Date()
        let confirmation = try IdentityRoutes.proofKey(request, plane: plane, now: now)
        let (agent, claims) = try await verify(
            assertion, clientID: form["client_id"], request: request, now: now, logger: context.logger)
        // Spent before anything is issued: an assertion works once.
        guard try await plane.store.revocations.consumeOnce(
            jti: "client-assertion \(agent.id) \(claims.jti)", expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)))
        else { throw OAuthError.invalidGrant("the client assertion has been used before") }
        return try await IdentityRoutes.releaseSVID(
            plane: plane, agent: agent, instance: instance, audience: audience, requestedTTL: requestedTTL,
            authorizedBy: "private_key_jwt", confirmation: confirmation, now: now, request: request, context: context)
    }

    /// The agent and the claims of a valid assertion signed by one of its registered keys.
    private func verify(
        _ assertion: String, clientID: String?, request: Request, now: Date, logger: Logger
    ) async throws -> (Agent, Claims) {
        let parts: JWS.Parts
        do {
            parts = try JWS.parse(assertion, algorithms: TrustedIssuer.algorithms)
        } catch {
            throw OAuthError.invalidClient("the client assertion: \(error.message)")
        }
        // The issuer names the agent; nothing else is read before the signature has been checked.
        guard let unverified = try? JSONDecoder().decode(Claims.self, from: parts.payload),
            let agentID = try? AgentID(unverified.iss)
        else { throw OAuthError.invalidClient("the client assertion's claims are missing or malformed (iss, sub, aud, exp, jti)") }
        if let clientID, clientID != agentID.rawValue { throw OAuthError.invalidClient("client_id and the assertion's iss differ") }
        guard let agent = try? await plane.registry.agent(agentID) else { throw OAuthError.invalidClient("unknown client") }
        var keys: [(kid: String?, key: VerificationKey)] = []
        for stored in try await plane.store.agentKeys.keys(of: agent.id) {
            guard let jwk = try? JSONSerialization.jsonObject(with: Data(stored.jwk.utf8)) as? [String: Any],
                let key = try? VerificationKey(jwk: jwk)
            else { continue }
            keys.append((jwk["kid"] as? String ?? stored.thumbprint, key))
        }
        guard let key = JWKSet(keys: keys).key(for: parts), key.verifies(parts)
        else {
            logger.notice("client assertion rejected", metadata: ["agent": "\(agent.id)"])  // never the assertion itself
            throw OAuthError.invalidClient("the client assertion is not signed by a key registered for agent \(agent.id)")
        }
        let claims = unverified
        let time = Int64(now.timeIntervalSince1970)
        let accepted = [plane.configuration.effectiveIssuer, plane.publicURL(for: request)]
        guard claims.sub == claims.iss else { throw OAuthError.invalidClient("the client assertion's sub must equal its iss") }
        guard claims.aud.values.contains(where: accepted.contains) else {
            throw OAuthError.invalidClient("the client assertion's aud must be \(accepted[0]) or \(accepted[1])")
        }
        guard claims.exp + 30 > time else { throw OAuthError.invalidClient("the client assertion has expired") }
        guard claims.exp <= time + Self.maximumLifetime + 30 else {
            throw OAuthError.invalidClient("the client assertion may be valid for at most \(Self.maximumLifetime) seconds")
        }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw OAuthError.invalidClient("the client assertion needs a jti") }
        return (agent, claims)
    }
}

import CustosCore
import CustosIdentity
import CustosStore
import Foundation
import Hummingbird
import NIOCore

/// RFC 7662 introspection (`POST /oauth2/introspect`) and RFC 7009 revocation (`POST /oauth2/revoke`)
/// of the JWT-SVIDs and grants Custos issues, for third parties that cannot verify them locally.
///
/// Callers authenticate with the admin token or with an agent's JWT-SVID whose audience is Custos's
/// issuer identifier. Introspection also needs the scope `token:introspect` in the agent's blueprint
/// (a resource server registered as an agent). An agent may revoke only its own credentials.
struct TokenIntrospection {
    static let scope = "token:introspect"
    let plane: ControlPlane

    private enum Caller {
        case admin
        case agent(VerifiedSVID, Agent)
    }

    func register(on router: Router<CustosRequestContext>) {
        router.post("oauth2/introspect") { request, _ -> Response in
            do {
                return try await introspect(request)
            } catch let error as OAuthError {
                return IdentityRoutes.oauthResponse(error)
            }
        }
        router.post("oauth2/revoke") { request, _ -> Response in
            do {
                return try await revoke(request)
            } catch let error as OAuthError {
                return IdentityRoutes.oauthResponse(error)
            }
        }
    }

    private func caller(_ request: Request) async throws(OAuthError) -> Caller {
        guard let token = request.bearerToken(maxHeaderLength: 8192) else {
            throw .invalidClient("authenticate with the admin token or an agent's JWT-SVID as a bearer token")
        }
        if plane.adminCredential.accepts(token) { return .admin }
        do {
            let svid = try plane.verifier.verify(
                token, audience: plane.configuration.effectiveIssuer, now: Date(), dpop: request.dpopPresentation(plane))
            return .agent(svid, try await plane.registry.agent(svid.agent))
        } catch {
            throw .invalidClient("the caller's credential: \(error.message)")
        }
    }

    private func introspect(_ request: Request) async throws -> Response {
        let caller = try await caller(request)
        if case .agent(_, let agent) = caller, !agent.blueprint.scopes.contains(Self.scope) {
            throw OAuthError(code: "unauthorized_client", description: "agent \(agent.id) may not introspect (scope \(Self.scope))")
        }
        guard let token = try await FormBody.read(request)["token"], !token.isEmpty else {
            throw OAuthError.invalidRequest("token is required")
        }
        let now = Date()
        var answer: [String: Any] = ["active": false]
        if let grant = try? plane.grantVerifier.verify(token, audience: nil, now: now) {
            // Introspection is a verification: a single-use grant is spent by it.
            let spent = grant.singleUse
                ? !(try await plane.store.revocations.consumeOnce(jti: grant.jti, expiresAt: Date(timeIntervalSince1970: TimeInterval(grant.exp))))
                : false
            if !spent {
                answer = grant.jsonObject
                answer["active"] = true
                answer["token_type"] = TokenResponse.tokenType(boundTo: grant.confirmation)
                answer["custos_token_kind"] = "grant"
            }
        } else if let svid = try? plane.verifier.verifyIgnoringBinding(token, audience: nil, now: now) {
            answer = [
                "active": true, "sub": svid.claims.sub, "aud": svid.claims.aud, "exp": svid.claims.exp, "iat": svid.claims.iat,
                "jti": svid.claims.jti, "custos_epoch": svid.claims.epoch, "custos_token_kind": "jwt-svid",
                "token_type": TokenResponse.tokenType(boundTo: svid.claims.confirmation),
            ]
            if let jkt = svid.claims.confirmation { answer["cnf"] = ["jkt": jkt] }
        }
        return Response.json(object: answer, noStore: true)
    }

    private func revoke(_ request: Request) async throws -> Response {
        let caller = try await caller(request)
        guard let token = try await FormBody.read(request)["token"], !token.isEmpty else {
            throw OAuthError.invalidRequest("token is required")
        }
        // What the token is, from its signature alone: a revoked or expired token may still be revoked.
        let holder: String
        let jti: String
        let expiry: Int64
        if let grant = try? plane.grantVerifier.signedClaims(token) {
            (holder, jti, expiry) = (grant.actors.first ?? "", grant.jti, grant.exp)
        } else if let svid = try? plane.verifier.signedClaims(token) {
            (holder, jti, expiry) = (svid.spiffeID.description, svid.claims.jti, svid.claims.exp)
        } else {
            return Response(status: .ok)  // RFC 7009 §2.2: a token that is not ours is not an error
        }
        let by: String
        switch caller {
        case .admin:
            by = "admin"
        case .agent(let svid, _):
            let prefix = "spiffe://\(svid.spiffeID.trustDomain)/agent/\(svid.agent.rawValue)/i/"
            guard holder.hasPrefix(prefix) else {
                throw OAuthError(code: "unauthorized_client", description: "an agent may revoke only its own credentials")
            }
            by = svid.spiffeID.description
        }
        if Date(timeIntervalSince1970: TimeInterval(expiry) + 60) > Date() {
            _ = try await plane.killSwitch.kill(
                .token, target: jti, reason: "revoked at /oauth2/revoke", by: by,
                tokenExpiry: Date(timeIntervalSince1970: TimeInterval(expiry)))
        }
        return Response(status: .ok)
    }
}

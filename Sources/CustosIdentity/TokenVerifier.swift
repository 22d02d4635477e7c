@preconcurrency import Crypto
public import CustosCore
public import Foundation

/// A JWT-SVID that verified: who it names and what it says.
public struct VerifiedSVID: Hashable, Sendable {
    public let agent: AgentID
    public let instance: String
    public let spiffeID: SPIFFEID
    public let claims: SVIDClaims

    public init(agent: AgentID, instance: String, spiffeID: SPIFFEID, claims: SVIDClaims) {
        self.agent = agent
        self.instance = instance
        self.spiffeID = spiffeID
        self.claims = claims
    }
}

/// Verifies JWT-SVIDs for any enforcement point: ES256 only, a `kid` that names a current key
/// (there is no default key), a valid signature, `exp` in the future (30 s skew), `iat` not in the
/// future, exactly the expected audience, a subject in this trust domain, and no revocation in
/// ``RevocationState`` since it was issued. A token whose signature checked is remembered until it
/// expires, so the hot path does not repeat the ECDSA verification; the time, audience and
/// revocation checks run on every call.
public final class TokenVerifier: Sendable {
    private let keys: KeyRing
    public let trustDomain: String
    public let revocations: RevocationState
    public let allowedSkew: TimeInterval = 30
    private let cache = VerifiedTokenCache<VerifiedSVID>()

    public init(keys: KeyRing, trustDomain: String, revocations: RevocationState) {
        self.keys = keys
        self.trustDomain = trustDomain
        self.revocations = revocations
    }

    /// Checks the DPoP proofs of bound JWT-SVIDs.
    public let dpop = DPoPVerifier()

    /// Verifies `token` for `audience` at `now`. A token bound to a DPoP key (`cnf.jkt`) verifies only
    /// with a fresh proof by that key for this token (`dpop`), so a stolen bound token is of no use.
    public func verify(
        _ token: String, audience: String, now: Date, dpop presentation: DPoPPresentation?
    ) throws(CustosError) -> VerifiedSVID {
        let verified = try verifyIgnoringBinding(token, audience: audience, now: now)
        try dpop.checkBinding(of: token, kind: "token", to: verified.claims.confirmation, presentation: presentation, now: now)
        return verified
    }

    /// Verifies a token presented without a DPoP proof: a bound token is refused.
    public func verify(_ token: String, audience: String, now: Date) throws(CustosError) -> VerifiedSVID {
        try verify(token, audience: audience, now: now, dpop: nil)
    }

    /// Verifies `token` at `now`, for `audience` when one is given, leaving a DPoP binding to the caller:
    /// introspection reports `cnf`, and the token endpoint compares it with its own request's proof.
    public func verifyIgnoringBinding(_ token: String, audience: String?, now: Date) throws(CustosError) -> VerifiedSVID {
        let verified = try signedClaims(token)
        let claims = verified.claims
        let time = Int64(now.timeIntervalSince1970)
        guard Double(claims.exp) + allowedSkew > Double(time) else { throw .unauthorized("the token has expired") }
        guard Double(claims.iat) - allowedSkew <= Double(time) else { throw .unauthorized("the token was issued in the future") }
        if let audience, claims.aud != audience { throw .unauthorized("the token is for another audience") }
        try revocations.check(agent: verified.agent, instance: verified.instance, epoch: claims.epoch, jti: claims.jti)
        return verified
    }

    /// What a token signed by Custos says, with its signature checked but neither its time, audience
    /// nor revocation (for revoking a token, which must work on one that is already revoked).
    public func signedClaims(_ token: String) throws(CustosError) -> VerifiedSVID {
        if let remembered = cache[token] { return remembered }
        return try checkSignature(token)
    }

    private func checkSignature(_ token: String) throws(CustosError) -> VerifiedSVID {
        let parts = try JWS.parse(token)
        guard parts.header.typ == nil || parts.header.typ == "JWT" || parts.header.typ == "JOSE" else {
            throw .unauthorized("the token type is not allowed")
        }
        guard let kid = parts.header.kid, let key = keys.verificationKey(kid) else { throw .unauthorized("the token's key is unknown") }
        guard JWS.verify(parts, with: key) else { throw .unauthorized("the token's signature is invalid") }
        guard let claims = try? JSONDecoder().decode(SVIDClaims.self, from: parts.payload) else {
            throw .unauthorized("the token's claims are malformed")
        }
        let (agent, instance, spiffeID) = try AgentInstanceSubject.parse(claims.sub, trustDomain: trustDomain)
        let verified = VerifiedSVID(agent: agent, instance: instance, spiffeID: spiffeID, claims: claims)
        cache.remember(verified, for: token)
        return verified
    }
}

/// The SPIFFE ID of an agent instance of one trust domain: `spiffe://<td>/agent/<id>/i/<instance>`.
public enum AgentInstanceSubject {
    /// The agent, the instance name and the SPIFFE ID; `unauthorized` for anything else.
    public static func parse(_ subject: String, trustDomain: String) throws(CustosError) -> (AgentID, String, SPIFFEID) {
        guard let spiffeID = try? SPIFFEID(parsing: subject) else {
            throw .unauthorized("the token's subject is not a SPIFFE ID")
        }
        let segments = spiffeID.path.split(separator: "/").map(String.init)
        guard spiffeID.trustDomain == trustDomain, segments.count == 4, segments[0] == "agent", segments[2] == "i",
            let agent = try? AgentID(segments[1])
        else { throw .unauthorized("the token's subject is not an agent instance of this trust domain") }
        return (agent, segments[3], spiffeID)
    }
}

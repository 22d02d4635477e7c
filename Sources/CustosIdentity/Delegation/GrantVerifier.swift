@preconcurrency import Crypto
public import CustosCore
public import Foundation

/// Signs grants with the current key.
public struct GrantIssuer: Sendable {
    public let key: SigningKey

    public init(key: SigningKey) {
        self.key = key
    }

    public func sign(_ claims: GrantClaims) throws(CustosError) -> String {
        try JWS.sign(claims: claims.jsonObject, key: key, type: GrantClaims.type)
    }
}

/// Verifies grants for any enforcement point: ES256 by a current key, `typ` at+jwt, Custos as
/// issuer, `exp`/`iat` (30 s skew), the expected audience, and no revocation of the grant or of any
/// agent instance in its chain since it was issued: killing an agent also ends every grant it
/// passed on. Single-use grants must additionally be spent (``RevocationRepository/consumeOnce``),
/// which needs the database; the caller does that.
public final class GrantVerifier: Sendable {
    private let keys: KeyRing
    public let issuer: String
    public let trustDomain: String
    public let revocations: RevocationState
    public let allowedSkew: Int64 = 30
    /// A grant whose signature checked, with its chain already parsed into agents and instances.
    private struct Signed: Sendable {
        let claims: GrantClaims
        let chain: [(agent: AgentID, instance: String)]
    }

    private let cache = VerifiedTokenCache<Signed>()

    public init(keys: KeyRing, issuer: String, trustDomain: String, revocations: RevocationState) {
        self.keys = keys
        self.issuer = issuer
        self.trustDomain = trustDomain
        self.revocations = revocations
    }

    /// Checks the DPoP proofs of bound grants.
    public let dpop = DPoPVerifier()

    /// Verifies `token` at `now`, for `audience` when one is given. A grant bound to a DPoP key
    /// (`cnf.jkt`) verifies only with a fresh proof by that key for this token (`dpop`); without a
    /// proof it is refused, so a stolen bound grant is of no use.
    public func verify(
        _ token: String, audience: String?, now: Date, dpop presentation: DPoPPresentation?
    ) throws(CustosError) -> GrantClaims {
        let claims = try verify(token, audience: audience, now: now)
        try dpop.checkBinding(of: token, kind: "grant", to: claims.confirmation, presentation: presentation, now: now)
        return claims
    }

    /// Verifies `token` at `now`, for `audience` when one is given, leaving a DPoP binding to the
    /// caller (introspection reports `cnf`; a further exchange checks the proof itself).
    public func verify(_ token: String, audience: String?, now: Date) throws(CustosError) -> GrantClaims {
        let signed = try checked(token)
        let claims = signed.claims
        let time = Int64(now.timeIntervalSince1970)
        guard claims.exp + allowedSkew > time else { throw .unauthorized("the grant has expired") }
        guard claims.iat - allowedSkew <= time else { throw .unauthorized("the grant was issued in the future") }
        if let audience, claims.aud != audience { throw .unauthorized("the grant is for another audience") }
        for (agent, instance) in signed.chain {
            try revocations.check(agent: agent, instance: instance, epoch: claims.epoch, jti: claims.jti)
        }
        return claims
    }

    /// What a grant says, with its signature and issuer checked but neither its time, audience nor
    /// revocation (for revoking a grant, which must work on one that is already revoked).
    public func signedClaims(_ token: String) throws(CustosError) -> GrantClaims {
        try checked(token).claims
    }

    private func checked(_ token: String) throws(CustosError) -> Signed {
        if let remembered = cache[token] { return remembered }
        return try checkSignature(token)
    }

    private func checkSignature(_ token: String) throws(CustosError) -> Signed {
        let parts = try JWS.parse(token)
        guard parts.header.typ == GrantClaims.type else { throw .unauthorized("the token is not a Custos grant") }
        guard let kid = parts.header.kid, let key = keys.verificationKey(kid) else { throw .unauthorized("the grant's key is unknown") }
        guard JWS.verify(parts, with: key) else { throw .unauthorized("the grant's signature is invalid") }
        let claims = try GrantClaims(payload: parts.payload)
        guard claims.iss == issuer else { throw .unauthorized("the grant is from another issuer") }
        var chain: [(agent: AgentID, instance: String)] = []
        for actor in claims.actors {
            let (agent, instance, _) = try AgentInstanceSubject.parse(actor, trustDomain: trustDomain)
            chain.append((agent, instance))
        }
        let signed = Signed(claims: claims, chain: chain)
        cache.remember(signed, for: token)
        return signed
    }
}

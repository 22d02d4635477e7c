@preconcurrency import Crypto
public import CustosCore
public import Foundation
import Synchronization

/// A JWT-SVID that verified: who it names and what it says.
public struct VerifiedSVID: Hashable, Sendable {
    public let agent: AgentID
    public let instance: String
    public let spiffeID: SPIFFEID
    public let claims: SVIDClaims
}

/// Verifies JWT-SVIDs for any enforcement point: ES256 only, a `kid` that names a current key
/// (there is no default key), a valid signature, `exp` in the future (30 s skew), `iat` not in the
/// future, exactly the expected audience, a subject in this trust domain, and a revocation epoch
/// no older than the agent's current one. A token whose signature checked is remembered until it
/// expires, so the hot path does not repeat the ECDSA verification; the time, audience and
/// revocation checks run on every call.
public final class TokenVerifier: Sendable {
    private let keys: [String: P256.Signing.PublicKey]
    public let trustDomain: String
    public let allowedSkew: TimeInterval = 30
    /// Largest number of tokens remembered; beyond it the cache is cleared.
    public let cacheLimit = 100_000
    private let cache = Mutex<[String: (SVIDClaims, AgentID, String, SPIFFEID)]>([:])

    public init(keys: [SigningKey], trustDomain: String) {
        var byID: [String: P256.Signing.PublicKey] = [:]
        for key in keys { byID[key.keyID] = key.privateKey.publicKey }
        self.keys = byID
        self.trustDomain = trustDomain
    }

    /// Verifies `token` for `audience` at `now`; `currentEpoch` gives the agent's revocation epoch
    /// (nil when the agent no longer exists).
    public func verify(
        _ token: String, audience: String, now: Date,
        currentEpoch: (AgentID) async throws(CustosError) -> Int?
    ) async throws(CustosError) -> VerifiedSVID {
        let entry: (SVIDClaims, AgentID, String, SPIFFEID)
        if let remembered = cached(token) {
            entry = remembered
        } else {
            entry = try checkSignature(token)
        }
        let (claims, agent, instance, spiffeID) = entry
        let time = Int64(now.timeIntervalSince1970)
        guard Double(claims.exp) + allowedSkew > Double(time) else { throw .unauthorized("the token has expired") }
        guard Double(claims.iat) - allowedSkew <= Double(time) else { throw .unauthorized("the token was issued in the future") }
        guard claims.aud == audience else { throw .unauthorized("the token is for another audience") }
        guard let epoch = try await currentEpoch(agent) else { throw .unauthorized("the token's agent no longer exists") }
        guard claims.epoch >= epoch else { throw .unauthorized("the token has been revoked") }
        return VerifiedSVID(agent: agent, instance: instance, spiffeID: spiffeID, claims: claims)
    }

    private func cached(_ token: String) -> (SVIDClaims, AgentID, String, SPIFFEID)? {
        cache.withLock { $0[token] }
    }

    private func checkSignature(_ token: String) throws(CustosError) -> (SVIDClaims, AgentID, String, SPIFFEID) {
        let parts = try JWS.parse(token)
        guard parts.header.typ == nil || parts.header.typ == "JWT" || parts.header.typ == "JOSE" else {
            throw .unauthorized("the token type is not allowed")
        }
        guard let kid = parts.header.kid, let key = keys[kid] else { throw .unauthorized("the token's key is unknown") }
        guard JWS.verify(parts, with: key) else { throw .unauthorized("the token's signature is invalid") }
        guard let claims = try? JSONDecoder().decode(SVIDClaims.self, from: parts.payload) else {
            throw .unauthorized("the token's claims are malformed")
        }
        let spiffeID: SPIFFEID
        do {
            spiffeID = try SPIFFEID(parsing: claims.sub)
        } catch {
            throw .unauthorized("the token's subject is not a SPIFFE ID")
        }
        let segments = spiffeID.path.split(separator: "/").map(String.init)
        guard spiffeID.trustDomain == trustDomain, segments.count == 4, segments[0] == "agent", segments[2] == "i",
            let agent = try? AgentID(segments[1])
        else { throw .unauthorized("the token's subject is not an agent instance of this trust domain") }
        let entry = (claims, agent, segments[3], spiffeID)
        cache.withLock { stored in
            if stored.count >= cacheLimit { stored.removeAll(keepingCapacity: true) }
            stored[token] = entry
        }
        return entry
    }
}

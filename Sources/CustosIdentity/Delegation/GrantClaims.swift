public import CustosCore
public import Foundation

/// The claims of a grant: a token Custos issues by token exchange (RFC 8693) for an agent acting on
/// someone's behalf. Signed as an RFC 9068 access token (`typ: at+jwt`), so that it is never
/// mistaken for a JWT-SVID and the other way round.
public struct GrantClaims: Hashable, Sendable {
    /// Custos's issuer identifier.
    public var iss: String
    /// On whose behalf: the user (or service) the chain started with.
    public var sub: String
    /// The identity provider that vouched for `sub`.
    public var subjectIssuer: String
    /// The single audience.
    public var aud: String
    public var scopes: [String]
    public var exp: Int64
    public var iat: Int64
    public var jti: String
    /// The agent chain as SPIFFE IDs of agent instances, current actor first (the outermost `act`).
    public var actors: [String]
    /// Delegation hops from the subject: 1 for a grant straight from a user's token.
    public var depth: Int
    /// The deepest any grant derived from this one may be.
    public var depthLimit: Int
    /// The revocation epoch it was issued in.
    public var epoch: Int
    /// Whether it may be verified once only.
    public var singleUse: Bool
    /// The RFC 7638 thumbprint of the DPoP key it is bound to (`cnf.jkt`).
    public var confirmation: String?

    public static let type = "at+jwt"
    /// The longest chain a grant may carry.
    public static let maximumChain = 17

    public init(
        iss: String, sub: String, subjectIssuer: String, aud: String, scopes: [String], exp: Int64, iat: Int64, jti: String,
        actors: [String], depth: Int, depthLimit: Int, epoch: Int, singleUse: Bool, confirmation: String?
    ) {
        self.iss = iss
        self.sub = sub
        self.subjectIssuer = subjectIssuer
        self.aud = aud
        self.scopes = scopes
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.actors = actors
        self.depth = depth
        self.depthLimit = depthLimit
        self.epoch = epoch
        self.singleUse = singleUse
        self.confirmation = confirmation
    }

    /// The nested `act` claim: `{"sub": current, "act": {"sub": previous, …}}`.
    public var act: [String: Any] {
        var nested: [String: Any]?
        for actor in actors.reversed() {
            var level: [String: Any] = ["sub": actor]
            if let inner = nested { level["act"] = inner }
            nested = level
        }
        return nested ?? [:]
    }

    /// The JSON object that is signed.
    public var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "iss": iss, "sub": sub, "aud": aud, "scope": scopes.joined(separator: " "), "exp": exp, "iat": iat, "jti": jti,
            "act": act, "custos_subject_issuer": subjectIssuer, "custos_depth": depth, "custos_depth_limit": depthLimit,
            "custos_epoch": epoch, "client_id": actors.first ?? "",
        ]
        if singleUse { object["custos_single_use"] = true }
        if let confirmation { object["cnf"] = ["jkt": confirmation] }
        return object
    }

    /// Reads the claims of a grant whose signature has been checked; anything missing, of the wrong
    /// type or out of bounds is refused.
    public init(payload: Data) throws(CustosError) {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: payload) else {
            throw .unauthorized("the grant's claims are missing or malformed")
        }
        var actors: [String] = []
        var level: Wire.Act? = wire.act
        while let current = level {
            guard actors.count < Self.maximumChain else { throw .unauthorized("the grant's `act` claim is too deep") }
            actors.append(current.sub)
            level = current.act
        }
        guard wire.custos_depth == actors.count, wire.custos_depth <= wire.custos_depth_limit else {
            throw .unauthorized("the grant's delegation chain is inconsistent")
        }
        self.init(
            iss: wire.iss, sub: wire.sub, subjectIssuer: wire.custos_subject_issuer, aud: wire.aud,
            scopes: (wire.scope ?? "").split(separator: " ").map(String.init), exp: wire.exp, iat: wire.iat, jti: wire.jti,
            actors: actors, depth: wire.custos_depth, depthLimit: wire.custos_depth_limit, epoch: wire.custos_epoch,
            singleUse: wire.custos_single_use ?? false, confirmation: wire.cnf?.jkt)
    }

    /// The signed form, as decoded.
    private struct Wire: Decodable {
        final class Act: Decodable {
            let sub: String
            let act: Act?
        }

        struct Confirmation: Decodable {
            let jkt: String
        }

        let iss: String
        let sub: String
        let aud: String
        let scope: String?
        let exp: Int64
        let iat: Int64
        let jti: String
        let act: Act
        let custos_subject_issuer: String
        let custos_depth: Int
        let custos_depth_limit: Int
        let custos_epoch: Int
        let custos_single_use: Bool?
        let cnf: Confirmation?
    }
}

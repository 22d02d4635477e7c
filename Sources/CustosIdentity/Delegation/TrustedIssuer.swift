public import CustosCore
public import Foundation

/// What Custos reads from a user's token issued by a trusted identity provider.
public struct SubjectClaims: Hashable, Sendable {
    public var issuer: String
    public var subject: String
    public var exp: Int64
    /// The scopes the token grants (`scope`, space-separated, or `scp`); none when it names none.
    public var scopes: [String]
    /// RFC 8693 `may_act.sub`: who may act for the subject, when the token restricts it.
    public var mayAct: String?

    public init(issuer: String, subject: String, exp: Int64, scopes: [String], mayAct: String? = nil) {
        self.issuer = issuer
        self.subject = subject
        self.exp = exp
        self.scopes = scopes
        self.mayAct = mayAct
    }
}

/// An identity provider whose users' tokens Custos accepts as `subject_token`: its issuer
/// identifier, the audience its tokens must carry, and its keys.
public struct TrustedIssuer: Sendable {
    public let issuer: String
    public let audience: String
    public let keys: JWKSet
    public static let algorithms: Set<String> = ["ES256", "RS256", "PS256"]
    public static let allowedSkew: Int64 = 30

    public init(issuer: String, audience: String, keys: JWKSet) {
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
    }

    /// The `iss` of a token, read before its signature is checked, to pick the issuer's keys. Nothing
    /// else from an unverified token is used.
    public static func unverifiedIssuer(of token: String) -> String? {
        (try? JWS.parse(token, algorithms: algorithms)).flatMap(unverifiedIssuer(of:))
    }

    /// ``unverifiedIssuer(of:)-(String)`` of a token already split.
    public static func unverifiedIssuer(of parts: JWS.Parts) -> String? {
        (try? JSONDecoder().decode(IssuerOnly.self, from: parts.payload))?.iss
    }

    /// Whether the key set holds the key the token names (its signature is not checked here).
    public func hasKey(for parts: JWS.Parts) -> Bool {
        keys.key(for: parts) != nil
    }

    private struct IssuerOnly: Decodable {
        let iss: String
    }

    /// Verifies a user's token: an allowed algorithm, a key of this issuer, its signature, `iss`, the
    /// audience, `exp` and `nbf` (30 s skew), and a subject.
    public func verify(_ token: String, now: Date) throws(OAuthError) -> SubjectClaims {
        let parts: JWS.Parts
        do {
            parts = try JWS.parse(token, algorithms: Self.algorithms)
        } catch {
            throw .invalidGrant("the subject token: \(error.message)")
        }
        return try verify(parts, now: now)
    }

    /// ``verify(_:now:)-(String,_)`` of a token already split (with ``algorithms``).
    public func verify(_ parts: JWS.Parts, now: Date) throws(OAuthError) -> SubjectClaims {
        guard Self.algorithms.contains(parts.header.alg) else { throw .invalidGrant("the subject token's algorithm is not allowed") }
        if let typ = parts.header.typ?.lowercased(), !["jwt", "at+jwt", "application/at+jwt"].contains(typ) {
            throw .invalidGrant("the subject token's type \(typ) is not allowed")
        }
        guard let key = keys.key(for: parts) else { throw .invalidGrant("the subject token's key is unknown to its issuer") }
        guard key.verifies(parts) else { throw .invalidGrant("the subject token's signature is invalid") }
        guard let claims = try? JSONDecoder().decode(Wire.self, from: parts.payload) else {
            throw .invalidGrant("the subject token's claims are missing or malformed (iss, sub, aud and exp are required)")
        }
        let time = Int64(now.timeIntervalSince1970)
        guard claims.iss == issuer else { throw .invalidGrant("the subject token is from another issuer") }
        guard claims.aud.values.contains(audience) else { throw .invalidGrant("the subject token is not for Custos (aud)") }
        guard Int64(claims.exp) + Self.allowedSkew > time else { throw .invalidGrant("the subject token has expired") }
        if let nbf = claims.nbf, Int64(nbf) - Self.allowedSkew > time {
            throw .invalidGrant("the subject token is not valid yet")
        }
        guard !claims.sub.isEmpty, claims.sub.utf8.count <= 256 else { throw .invalidGrant("the subject token's sub is malformed") }
        let scopes = (claims.scope.map { [$0] } ?? claims.scp?.values ?? []).flatMap { $0.split(separator: " ").map(String.init) }
        return SubjectClaims(issuer: issuer, subject: claims.sub, exp: Int64(claims.exp), scopes: scopes, mayAct: claims.may_act?.sub)
    }

    private struct Wire: Decodable {
        struct MayAct: Decodable {
            let sub: String?
        }

        let iss: String
        let sub: String
        let aud: OneOrMany
        let exp: Double
        let nbf: Double?
        let scope: String?
        let scp: OneOrMany?
        let may_act: MayAct?
    }
}

/// A string or an array of strings, as a JWT's `aud` (and an IdP's `scp`) may be.
public struct OneOrMany: Decodable, Sendable {
    public let values: [String]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(String.self) {
            values = [single]
        } else {
            values = try container.decode([String].self)
        }
    }
}

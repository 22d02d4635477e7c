public import CustosCore
public import Foundation

/// The claims of a JWT-SVID issued by Custos.
public struct SVIDClaims: Codable, Hashable, Sendable {
    /// The SPIFFE ID of the agent instance.
    public var sub: String
    /// The single audience the token is for.
    public var aud: String
    public var exp: Int64
    public var iat: Int64
    public var jti: String
    /// The revocation epoch the token was issued in; a revocation of its agent, instance, sponsor or
    /// zone in a later epoch revokes it.
    public var epoch: Int
    /// The RFC 7638 thumbprint of the DPoP key the token is bound to (`cnf.jkt`), when it is.
    public var confirmation: String?

    enum CodingKeys: String, CodingKey {
        case sub, aud, exp, iat, jti, cnf
        case epoch = "custos_epoch"
    }

    private struct Confirmation: Codable, Hashable {
        var jkt: String
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sub, forKey: .sub)
        try c.encode(aud, forKey: .aud)
        try c.encode(exp, forKey: .exp)
        try c.encode(iat, forKey: .iat)
        try c.encode(jti, forKey: .jti)
        try c.encode(epoch, forKey: .epoch)
        try c.encodeIfPresent(confirmation.map(Confirmation.init(jkt:)), forKey: .cnf)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sub = try c.decode(String.self, forKey: .sub)
        // A JWT-SVID has exactly one audience; an array of one is accepted, anything else is not.
        if let single = try? c.decode(String.self, forKey: .aud) {
            aud = single
        } else {
            let list = try c.decode([String].self, forKey: .aud)
            guard list.count == 1 else {
                throw DecodingError.dataCorruptedError(forKey: .aud, in: c, debugDescription: "more than one audience")
            }
            aud = list[0]
        }
        exp = try c.decode(Int64.self, forKey: .exp)
        iat = try c.decode(Int64.self, forKey: .iat)
        jti = try c.decode(String.self, forKey: .jti)
        epoch = try c.decode(Int.self, forKey: .epoch)
        confirmation = try c.decodeIfPresent(Confirmation.self, forKey: .cnf)?.jkt
    }

    public init(sub: String, aud: String, exp: Int64, iat: Int64, jti: String, epoch: Int, confirmation: String? = nil) {
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.epoch = epoch
        self.confirmation = confirmation
    }
}

/// Issues JWT-SVIDs: ES256, `kid` always set, `sub` = the instance's SPIFFE ID, one audience, a
/// lifetime never beyond the agent's blueprint cap.
public struct JWTSVIDIssuer: Sendable {
    public let key: SigningKey
    public let trustDomain: String

    public init(key: SigningKey, trustDomain: String) {
        self.key = key
        self.trustDomain = trustDomain
    }

    /// Issues a JWT-SVID for `instance` of `agent` in revocation epoch `epoch`, bound to the DPoP key
    /// with thumbprint `confirmation` when one is given.
    public func issue(
        for agent: Agent, instance: String, audience: String, requestedTTL: Int?, now: Date, epoch: Int,
        confirmation: String? = nil
    ) throws(CustosError) -> (token: String, claims: SVIDClaims) {
        guard agent.status == .active else { throw .forbidden("agent \(agent.id) is \(agent.status.rawValue)") }
        guard !audience.isEmpty, audience.utf8.count <= 512 else { throw .invalidRequest("an audience is 1-512 bytes") }
        let cap = agent.blueprint.maxCredentialTTLSeconds
        let ttl = min(requestedTTL ?? Blueprint.defaultCredentialTTLSeconds, cap)
        guard ttl > 0 else { throw .invalidRequest("the requested lifetime must be positive") }
        let subject = try SPIFFEID.instance(agent.id, instance: instance, trustDomain: trustDomain)
        let issuedAt = Int64(now.timeIntervalSince1970)
        let claims = SVIDClaims(
            sub: subject.description, aud: audience, exp: issuedAt + Int64(ttl), iat: issuedAt,
            jti: UUID().uuidString.lowercased(), epoch: epoch, confirmation: confirmation)
        var payload: [String: Any] = [
            "sub": claims.sub, "aud": claims.aud, "exp": claims.exp, "iat": claims.iat, "jti": claims.jti,
            "custos_epoch": claims.epoch,
        ]
        if let confirmation { payload["cnf"] = ["jkt": confirmation] }
        let token = try JWS.sign(claims: payload, key: key)
        return (token, claims)
    }
}

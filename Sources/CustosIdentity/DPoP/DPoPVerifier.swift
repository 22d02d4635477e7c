@preconcurrency import Crypto
public import CustosCore
public import Foundation
import Synchronization

/// A DPoP proof presented with a request (RFC 9449): the proof JWT, and the method and URL of the
/// request it came with.
public struct DPoPPresentation: Sendable {
    public var proof: String
    public var method: String
    /// Scheme, host (with port when not the default) and path of the request.
    public var url: String

    public init(proof: String, method: String, url: String) {
        self.proof = proof
        self.method = method
        self.url = url
    }
}

/// Checks DPoP proofs (RFC 9449 §4.3): `typ` dpop+jwt, an allowed algorithm, a public `jwk` in the
/// header that verifies the signature, `htm` and `htu` matching the request, `iat` within a minute of
/// now, `ath` matching the access token when one is presented, and a `jti` never seen before from that
/// key within the window (replays are refused). Returns the key's RFC 7638 thumbprint, the `jkt` that
/// binds tokens to it.
public final class DPoPVerifier: Sendable {
    public static let window: Int64 = 60
    public static let maximumSeen = 200_000
    /// Proofs seen, by `jkt` and `jti`, with when they stop mattering.
    private let seen = Mutex<[String: Int64]>([:])

    public init() {}

    /// Checks that `token` (a `kind`, for the messages), when bound to the key with thumbprint `bound`,
    /// comes with a fresh proof by that key for it; a token bound to no key passes.
    public func checkBinding(
        of token: String, kind: String, to bound: String?, presentation: DPoPPresentation?, now: Date
    ) throws(CustosError) {
        guard let bound else { return }
        guard let presentation else { throw .unauthorized("the \(kind) is DPoP-bound: a DPoP proof is required") }
        let jkt: String
        do {
            jkt = try verify(presentation, accessToken: token, now: now)
        } catch {
            throw .unauthorized(error.description)
        }
        guard jkt == bound else { throw .unauthorized("the DPoP proof is by another key than the \(kind) is bound to") }
    }

    public func verify(_ presentation: DPoPPresentation, accessToken: String?, now: Date) throws(OAuthError) -> String {
        let parts: JWS.Parts
        do {
            parts = try JWS.parse(presentation.proof, algorithms: ["ES256", "RS256", "PS256"])
        } catch {
            throw .invalidDPoPProof("the DPoP proof: \(error.message)")
        }
        guard parts.header.typ == "dpop+jwt" else { throw .invalidDPoPProof("the DPoP proof's typ must be dpop+jwt") }
        guard let header = try? JSONSerialization.jsonObject(with: parts.headerData) as? [String: Any],
            let jwk = header["jwk"] as? [String: Any]
        else { throw .invalidDPoPProof("the DPoP proof carries no jwk") }
        let key: VerificationKey
        let thumbprint: String
        do {
            key = try VerificationKey(jwk: jwk)
            thumbprint = try VerificationKey.thumbprint(jwk)
        } catch {
            throw .invalidDPoPProof("the DPoP proof's jwk: \(error.message)")
        }
        guard key.algorithm == parts.header.alg, key.verifies(parts) else {
            throw .invalidDPoPProof("the DPoP proof's signature does not verify with its jwk")
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: parts.payload) else {
            throw .invalidDPoPProof("the DPoP proof's claims are missing or malformed (jti, htm, htu, iat)")
        }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw .invalidDPoPProof("the DPoP proof's jti is malformed") }
        guard claims.htm == presentation.method else { throw .invalidDPoPProof("the DPoP proof is for another method") }
        guard Self.sameTarget(claims.htu, presentation.url) else { throw .invalidDPoPProof("the DPoP proof is for another URL") }
        let time = Int64(now.timeIntervalSince1970)
        guard abs(claims.iat - time) <= Self.window else { throw .invalidDPoPProof("the DPoP proof is not fresh") }
        if let accessToken {
            let expected = Base64URL.encode(SHA256.hash(data: Data(accessToken.utf8)))
            guard claims.ath == expected else { throw .invalidDPoPProof("the DPoP proof is not for this access token (ath)") }
        } else if claims.ath != nil {
            throw .invalidDPoPProof("the DPoP proof names an access token, but none is presented")
        }
        let fresh = seen.withLock { seen -> Bool in
            if seen.count >= Self.maximumSeen { seen = seen.filter { $0.value >= time } }
            let id = "\(thumbprint) \(claims.jti)"
            if let until = seen[id], until >= time { return false }
            seen[id] = claims.iat + 2 * Self.window
            return true
        }
        guard fresh else { throw .invalidDPoPProof("the DPoP proof has been used before") }
        return thumbprint
    }

    private struct Claims: Decodable {
        let jti: String
        let htm: String
        let htu: String
        let iat: Int64
        let ath: String?
    }

    /// `htu` names the request's URL: same scheme, host (case-insensitive) and port, and path; query
    /// and fragment are ignored (RFC 9449 §4.3).
    static func sameTarget(_ htu: String, _ url: String) -> Bool {
        guard let claimed = URLComponents(string: htu), let actual = URLComponents(string: url) else { return false }
        return claimed.scheme?.lowercased() == actual.scheme?.lowercased()
            && claimed.host?.lowercased() == actual.host?.lowercased() && claimed.port == actual.port
            && (claimed.path.isEmpty ? "/" : claimed.path) == (actual.path.isEmpty ? "/" : actual.path)
    }
}

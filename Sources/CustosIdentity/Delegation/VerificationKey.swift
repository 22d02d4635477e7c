@preconcurrency public import Crypto
public import CustosCore
public import Foundation
@preconcurrency public import _CryptoExtras

/// A public key that verifies JWS signatures: P-256 for ES256, RSA (2048 bits or more) for RS256 and
/// PS256. Each key verifies only its own algorithm.
public enum VerificationKey: Sendable {
    case p256(P256.Signing.PublicKey)
    case rsa(_RSA.Signing.PublicKey, algorithm: String)

    /// The JWS algorithm this key verifies.
    public var algorithm: String {
        switch self {
        case .p256: "ES256"
        case .rsa(_, let algorithm): algorithm
        }
    }

    /// True when `parts` carries this key's algorithm and a valid signature by it.
    public func verifies(_ parts: JWS.Parts) -> Bool {
        guard parts.header.alg == algorithm else { return false }
        switch self {
        case .p256(let key):
            guard parts.signature.count == 64,
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: parts.signature)
            else { return false }
            return key.isValidSignature(signature, for: parts.signingInput)
        case .rsa(let key, let algorithm):
            let signature = _RSA.Signing.RSASignature(rawRepresentation: parts.signature)
            let digest = SHA256.hash(data: parts.signingInput)
            return key.isValidSignature(signature, for: digest, padding: algorithm == "PS256" ? .PSS : .insecurePKCS1v1_5)
        }
    }

    /// RFC 7638 thumbprint of an EC or RSA public JWK: SHA-256 of its required members in order.
    public static func thumbprint(_ jwk: [String: Any]) throws(CustosError) -> String {
        switch jwk["kty"] as? String {
        case "EC":
            guard let crv = jwk["crv"] as? String, let x = jwk["x"] as? String, let y = jwk["y"] as? String else {
                throw .invalidRequest("an EC JWK needs crv, x and y")
            }
            return JWKThumbprint.ec(crv: crv, x: x, y: y)
        case "RSA":
            guard let e = jwk["e"] as? String, let n = jwk["n"] as? String else { throw .invalidRequest("an RSA JWK needs e and n") }
            return JWKThumbprint.rsa(e: e, n: n)
        default:
            throw .invalidRequest("a JWK must have kty EC or RSA")
        }
    }

    /// Reads one JWK (RFC 7517): `EC` on `P-256`, or `RSA` with `alg` RS256 or PS256 (RS256 when absent).
    /// Private members are refused: a key set is public.
    public init(jwk: [String: Any]) throws(CustosError) {
        guard jwk["d"] == nil else { throw .invalidRequest("a JWK in a key set must not hold a private key") }
        if let use = jwk["use"] as? String, use != "sig" {
            throw .invalidRequest("a JWK with use `\(use)` cannot verify signatures")
        }
        switch jwk["kty"] as? String {
        case "EC":
            guard jwk["crv"] as? String == "P-256", (jwk["alg"] as? String ?? "ES256") == "ES256",
                let x = (jwk["x"] as? String).flatMap({ Base64URL.decode($0[...]) }), x.count == 32,
                let y = (jwk["y"] as? String).flatMap({ Base64URL.decode($0[...]) }), y.count == 32,
                let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
            else { throw .invalidRequest("an EC JWK must be a valid P-256 key for ES256") }
            self = .p256(key)
        case "RSA":
            let algorithm = jwk["alg"] as? String ?? "RS256"
            guard ["RS256", "PS256"].contains(algorithm) else {
                throw .invalidRequest("an RSA JWK must be for RS256 or PS256, not \(algorithm)")
            }
            guard let n = (jwk["n"] as? String).flatMap({ Base64URL.decode($0[...]) }),
                let e = (jwk["e"] as? String).flatMap({ Base64URL.decode($0[...]) }),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { throw .invalidRequest("an RSA JWK must have a valid modulus and exponent") }
            guard key.keySizeInBits >= 2048 else { throw .invalidRequest("an RSA JWK must have at least 2048 bits") }
            self = .rsa(key, algorithm: algorithm)
        default:
            throw .invalidRequest("a JWK must have kty EC (P-256) or RSA")
        }
    }
}

/// A JSON Web Key Set (RFC 7517 §5) of verification keys, each with its `kid` when it has one.
public struct JWKSet: Sendable {
    public static let maximumSize = 64 * 1024
    public static let maximumKeys = 32

    public let keys: [(kid: String?, key: VerificationKey)]

    public init(keys: [(kid: String?, key: VerificationKey)]) {
        self.keys = keys
    }

    /// Parses a key set; keys of a type or algorithm Custos does not verify with are skipped, and a set
    /// left without any key is an error.
    public init(data: Data) throws(CustosError) {
        guard data.count <= Self.maximumSize else { throw .invalidRequest("the key set is larger than 64 KiB") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = object["keys"] as? [[String: Any]]
        else { throw .invalidRequest("the key set is not a JSON object with a `keys` array") }
        guard list.count <= Self.maximumKeys else { throw .invalidRequest("the key set has more than \(Self.maximumKeys) keys") }
        var keys: [(kid: String?, key: VerificationKey)] = []
        var firstError: CustosError?
        for jwk in list {
            do {
                keys.append((jwk["kid"] as? String, try VerificationKey(jwk: jwk)))
            } catch {
                firstError = firstError ?? error
            }
        }
        guard !keys.isEmpty else { throw firstError ?? .invalidRequest("the key set has no keys") }
        self.keys = keys
    }

    /// The key that must have signed `parts`: the one with its `kid`, or, for a token without a `kid`,
    /// the only key of its algorithm. Nil when there is no such key.
    public func key(for parts: JWS.Parts) -> VerificationKey? {
        if let kid = parts.header.kid {
            return keys.first { $0.kid == kid && $0.key.algorithm == parts.header.alg }?.key
        }
        let candidates = keys.filter { $0.key.algorithm == parts.header.alg }
        return candidates.count == 1 ? candidates[0].key : nil
    }
}

/// RFC 7638 JWK thumbprints: SHA-256 over the key's required members, in lexical order, base64url.
/// The members are base64url text (checked by whoever built the key), so no escaping is needed.
enum JWKThumbprint {
    static func ec(crv: String, x: String, y: String) -> String {
        digest(#"{"crv":"\#(crv)","kty":"EC","x":"\#(x)","y":"\#(y)"}"#)
    }

    static func rsa(e: String, n: String) -> String {
        digest(#"{"e":"\#(e)","kty":"RSA","n":"\#(n)"}"#)
    }

    private static func digest(_ canonical: String) -> String {
        Base64URL.encode(SHA256.hash(data: Data(canonical.utf8)))
    }
}

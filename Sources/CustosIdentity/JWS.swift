@preconcurrency import Crypto
public import CustosCore
public import Foundation

/// Compact JWS (RFC 7515). Custos signs with ES256 only and accepts only ES256 for its own tokens;
/// tokens of trusted identity providers may also use RS256 or PS256 (see ``VerificationKey``).
public enum JWS {
    /// Largest token accepted for verification, in bytes.
    public static let maximumTokenSize = 8 * 1024

    /// Signs `claims` (a JSON object) with `key`: header `{"alg":"ES256","kid":…,"typ":…}`.
    public static func sign(claims: [String: Any], key: SigningKey, type: String = "JWT") throws(CustosError) -> String {
        let header: [String: Any] = ["alg": "ES256", "kid": key.keyID, "typ": type]
        let encodedHeader = Base64URL.encode(try json(header))
        let encodedClaims = Base64URL.encode(try json(claims))
        let signingInput = "\(encodedHeader).\(encodedClaims)"
        let signature: P256.Signing.ECDSASignature
        do {
            signature = try key.privateKey.signature(for: Data(signingInput.utf8))
        } catch {
            throw .internalError("signing failed")
        }
        return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation))"
    }

    static func json(_ object: [String: Any]) throws(CustosError) -> Data {
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw .internalError("cannot encode token claims")
        }
    }

    /// The protected header fields Custos looks at.
    public struct Header: Decodable, Sendable {
        public var alg: String
        public var kid: String?
        public var typ: String?
        public var crit: [String]?
    }

    /// The parts of a compact JWS, decoded but not yet verified.
    public struct Parts: Sendable {
        public let header: Header
        /// The header as JSON, for members beyond ``Header`` (such as a DPoP proof's `jwk`).
        public let headerData: Data
        /// The JSON payload, to be decoded into the claims the caller expects.
        public let payload: Data
        let signingInput: Data
        let signature: Data
    }

    /// Splits and decodes a token; rejects anything malformed, oversized or of an algorithm not in
    /// `algorithms` before any cryptography runs.
    public static func parse(_ token: String, algorithms: Set<String> = ["ES256"]) throws(CustosError) -> Parts {
        guard token.utf8.count <= maximumTokenSize else { throw .unauthorized("the token is too large") }
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3, let headerData = Base64URL.decode(pieces[0]), let payload = Base64URL.decode(pieces[1]),
            let signature = Base64URL.decode(pieces[2])
        else { throw .unauthorized("the token is not a compact JWS") }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw .unauthorized("the token header is malformed")
        }
        guard algorithms.contains(header.alg) else { throw .unauthorized("the token's algorithm is not allowed") }
        guard header.crit == nil else { throw .unauthorized("the token has critical header parameters") }
        return Parts(
            header: header, headerData: headerData, payload: payload, signingInput: Data("\(pieces[0]).\(pieces[1])".utf8),
            signature: signature)
    }

    /// True when the signature is a valid ES256 signature by `key` over the token.
    static func verify(_ parts: Parts, with key: P256.Signing.PublicKey) -> Bool {
        VerificationKey.p256(key).verifies(parts)
    }
}

extension Base64URL {
    /// Decodes base64url without padding; nil when malformed.
    public static func decode(_ text: Substring) -> Data? {
        guard text.utf8.allSatisfy({
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
        }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

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

    /// The JSON of a header or claims object, keys sorted, slashes unescaped. Takes the types Custos
    /// puts in tokens: strings, integers, booleans, arrays and objects of those.
    static func json(_ object: [String: Any]) throws(CustosError) -> Data {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        try write(object, to: &output)
        return Data(output)
    }

    private static func write(_ value: Any, to output: inout [UInt8]) throws(CustosError) {
        switch value {
        case let text as String:
            writeString(text, to: &output)
        case let flag as Bool:
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case let number as Int:
            output.append(contentsOf: String(number).utf8)
        case let number as Int64:
            output.append(contentsOf: String(number).utf8)
        case let list as [Any]:
            output.append(UInt8(ascii: "["))
            for (index, item) in list.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case let object as [String: Any]:
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                try write(object[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        default:
            throw .internalError("cannot encode token claims")
        }
    }

    private static func writeString(_ text: String, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 15)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
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
        let bytes = token.utf8
        let pieces = bytes.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard pieces.count == 3, let headerData = Base64URL.decode(bytes: pieces[0]),
            let payload = Base64URL.decode(bytes: pieces[1]), let signature = Base64URL.decode(bytes: pieces[2])
        else { throw .unauthorized("the token is not a compact JWS") }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw .unauthorized("the token header is malformed")
        }
        guard algorithms.contains(header.alg) else { throw .unauthorized("the token's algorithm is not allowed") }
        guard header.crit == nil else { throw .unauthorized("the token has critical header parameters") }
        return Parts(
            header: header, headerData: headerData, payload: payload, signingInput: Data(bytes[..<pieces[1].endIndex]),
            signature: signature)
    }

    /// True when the signature is a valid ES256 signature by `key` over the token.
    static func verify(_ parts: Parts, with key: P256.Signing.PublicKey) -> Bool {
        VerificationKey.p256(key).verifies(parts)
    }
}

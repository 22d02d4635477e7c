import Crypto
public import Foundation

/// Bearer secrets Custos hands out (admin token, join tokens): 256 random bits, base64url, with a
/// prefix that says what they are. Only their SHA-256 is ever stored.
public enum SecretToken {
    /// A new secret, e.g. `custos_join_…`.
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// SHA-256 of the secret.
    public static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }

    /// SHA-256 of the secret as 64 lowercase hexadecimal digits, the form it is stored in.
    public static func hexDigest(_ token: String) -> String {
        hex(digest(token))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

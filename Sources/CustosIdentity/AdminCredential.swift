public import CustosCore
import Crypto
public import Foundation

/// The credential that guards the control-plane API. Only its SHA-256 digest is stored; the token
/// itself is shown once, when it is created. Checking a presented token compares digests in
/// constant time.
public struct AdminCredential: Sendable {
    /// SHA-256 of the token.
    public let digest: [UInt8]

    public init(digest: [UInt8]) throws(CustosError) {
        guard digest.count == SHA256.byteCount else { throw .invalidRequest("an admin token digest is 32 bytes") }
        self.digest = digest
    }

    /// Reads a digest written as 64 hexadecimal digits.
    public init(hexDigest: String) throws(CustosError) {
        let text = hexDigest.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard text.utf8.count == 64 else { throw .invalidRequest("an admin token digest is 64 hexadecimal digits") }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else {
                throw .invalidRequest("an admin token digest is 64 hexadecimal digits")
            }
            bytes.append(byte)
            index = next
        }
        try self.init(digest: bytes)
    }

    /// A fresh random token (256 bits) and the credential that accepts it.
    public static func generate() -> (token: String, credential: AdminCredential) {
        let token = SecretToken.generate(prefix: "custos_admin_")
        return (token, AdminCredential(unchecked: SecretToken.digest(token)))
    }

    private init(unchecked digest: [UInt8]) { self.digest = digest }

    public var hexDigest: String { SecretToken.hex(digest) }

    /// True when `token` is the admin token. Takes the same time whatever the token is.
    public func accepts(_ token: String) -> Bool {
        let presented = SecretToken.digest(token)
        var difference: UInt8 = 0
        for (a, b) in zip(presented, digest) { difference |= a ^ b }
        return difference == 0
    }
}

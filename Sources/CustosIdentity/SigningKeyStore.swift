@preconcurrency public import Crypto
public import CustosCore
public import Foundation

/// An ES256 signing key with its key id (the RFC 7638 JWK thumbprint of its public key).
public struct SigningKey: Sendable {
    public let privateKey: P256.Signing.PrivateKey
    public let keyID: String

    public init(privateKey: P256.Signing.PrivateKey) {
        self.privateKey = privateKey
        keyID = Self.thumbprint(of: privateKey.publicKey)
    }

    /// A new random key.
    public static func generate() -> SigningKey {
        SigningKey(privateKey: P256.Signing.PrivateKey())
    }

    /// RFC 7638: SHA-256 over `{"crv":"P-256","kty":"EC","x":…,"y":…}`, base64url.
    static func thumbprint(of key: P256.Signing.PublicKey) -> String {
        let raw = Array(key.x963Representation)  // 0x04 ‖ x ‖ y
        let x = Base64URL.encode(raw[1...32])
        let y = Base64URL.encode(raw[33...64])
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(SHA256.hash(data: Data(canonical.utf8)))
    }

    /// The public key as a JWK, for the JWKS endpoint.
    public var publicJWK: [String: String] {
        let raw = Array(privateKey.publicKey.x963Representation)
        return [
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "jwt-svid", "kid": keyID,
            "x": Base64URL.encode(raw[1...32]), "y": Base64URL.encode(raw[33...64]),
        ]
    }
}

/// Keeps signing keys as PEM files in a folder readable by the owner only (files 0600, folder 0700).
/// A key is generated on first start and reused afterwards.
public struct SigningKeyStore: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// The current signing key: the newest key file, or a new key written now when there is none.
    public func currentKey() throws(CustosError) -> SigningKey {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
            let files = try manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
                .filter { $0.pathExtension == "pem" }
                .sorted { ($0.lastPathComponent) < ($1.lastPathComponent) }
            if let newest = files.last {
                try Self.requireOwnerOnly(newest)
                let pem = try String(contentsOf: newest, encoding: .utf8)
                return SigningKey(privateKey: try P256.Signing.PrivateKey(pemRepresentation: pem))
            }
            let key = SigningKey(privateKey: P256.Signing.PrivateKey())
            let stamp = Int(Date().timeIntervalSince1970)
            let file = folder.appendingPathComponent("signing-\(stamp)-\(key.keyID).pem")
            guard manager.createFile(atPath: file.path, contents: Data(key.privateKey.pemRepresentation.utf8),
                                     attributes: [.posixPermissions: 0o600])
            else { throw CustosError.internalError("cannot write the signing key to \(file.path)") }
            return key
        } catch let error as CustosError {
            throw error
        } catch {
            throw .internalError("cannot load or create the signing key in \(folder.path): \(error.localizedDescription)")
        }
    }

    /// Refuses a key file that group or others can read.
    public static func requireOwnerOnly(_ file: URL) throws(CustosError) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: file.path)
        guard let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue else {
            throw .internalError("cannot read the permissions of \(file.path)")
        }
        guard mode & 0o077 == 0 else {
            throw .internalError("\(file.path) is readable by others (mode \(String(mode, radix: 8))); it must be 0600")
        }
    }
}

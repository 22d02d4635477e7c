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

    /// The RFC 7638 thumbprint of a P-256 public key.
    static func thumbprint(of key: P256.Signing.PublicKey) -> String {
        let (x, y) = coordinates(of: key)
        return JWKThumbprint.ec(crv: "P-256", x: x, y: y)
    }

    /// A P-256 public key's `x` and `y`, base64url, as a JWK has them.
    static func coordinates(of key: P256.Signing.PublicKey) -> (x: String, y: String) {
        let raw = Array(key.x963Representation)  // 0x04 ‖ x ‖ y
        return (Base64URL.encode(raw[1...32]), Base64URL.encode(raw[33...64]))
    }

    /// The public key as a JWK, for the JWKS endpoint.
    public var publicJWK: [String: String] {
        let (x, y) = Self.coordinates(of: privateKey.publicKey)
        return ["kty": "EC", "crv": "P-256", "alg": "ES256", "use": "jwt-svid", "kid": keyID, "x": x, "y": y]
    }
}

/// Keeps signing keys as PEM files in a folder readable by the owner only (files 0600, folder 0700).
/// A key is generated on first start and reused afterwards.
public struct SigningKeyStore: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// The key ring: the newest key file signs, older ones verify until their overlap after the next
    /// key's creation has passed (their files are then removed). A key is generated on first start.
    public func loadRing(now: Date = Date()) throws(CustosError) -> KeyRing {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
            let files = try keyFiles()
            guard !files.isEmpty else {
                return KeyRing(current: try create(now: now), sequence: Int64(now.timeIntervalSince1970 * 1000))
            }
            var keys: [(key: SigningKey, created: Date, file: URL)] = []
            for (file, created) in files {
                try Self.requireOwnerOnly(file)
                let pem = try String(contentsOf: file, encoding: .utf8)
                keys.append((SigningKey(privateKey: try P256.Signing.PrivateKey(pemRepresentation: pem)), created, file))
            }
            var previous: [KeyRing.Previous] = []
            for index in stride(from: keys.count - 2, through: 0, by: -1) {
                let retireAfter = keys[index + 1].created.addingTimeInterval(KeyRing.overlap)
                if retireAfter < now {
                    try? manager.removeItem(at: keys[index].file)
                } else {
                    previous.append(KeyRing.Previous(key: keys[index].key, retireAfter: retireAfter))
                }
            }
            let newest = keys[keys.count - 1]
            return KeyRing(current: newest.key, previous: previous, sequence: Int64(newest.created.timeIntervalSince1970 * 1000))
        } catch let error as CustosError {
            throw error
        } catch {
            throw .internalError("cannot load or create the signing keys in \(folder.path): \(error.localizedDescription)")
        }
    }

    /// Writes a new key, which the next ``loadRing(now:)`` takes as current; rotate the running ring to it.
    public func create(now: Date = Date()) throws(CustosError) -> SigningKey {
        let key = SigningKey.generate()
        // Milliseconds, zero-padded: file names sort in creation order.
        let stamp = String(format: "%015lld", Int64(now.timeIntervalSince1970 * 1000))
        let file = folder.appendingPathComponent("signing-\(stamp)-\(key.keyID).pem")
        guard FileManager.default.createFile(
            atPath: file.path, contents: Data(key.privateKey.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw .internalError("cannot write the signing key to \(file.path)") }
        return key
    }

    /// The key files, oldest first, with their creation times (from their names).
    private func keyFiles() throws -> [(URL, Date)] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "pem" && $0.lastPathComponent.hasPrefix("signing-") }
            .compactMap { file -> (URL, Date)? in
                let parts = file.lastPathComponent.split(separator: "-")
                guard parts.count >= 3, let stamp = Int64(parts[1]) else { return nil }
                // Names from before millisecond stamps carry seconds.
                let seconds = parts[1].count >= 13 ? Double(stamp) / 1000 : Double(stamp)
                return (file, Date(timeIntervalSince1970: seconds))
            }
            .sorted { $0.1 < $1.1 }
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

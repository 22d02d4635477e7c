@preconcurrency import Crypto
public import CustosCore
public import Foundation
public import X509
import SwiftASN1

/// The certificate authority of X.509-SVIDs (SPIFFE X509-SVID): a P-256 key and a self-signed CA
/// certificate that may sign only for this trust domain (a name constraint on URI SANs) and only
/// leaves (path length 0). Kept in the data folder's `keys/` as `x509-ca.key` (0600) and
/// `x509-ca.crt`, created on first start and valid for a year.
public struct X509Authority: Sendable {
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey
    public let trustDomain: String

    static let caLifetime: TimeInterval = 365 * 86_400
    /// Largest CSR accepted, in bytes of PEM.
    public static let maximumCSRSize = 16 * 1024

    init(certificate: Certificate, key: P256.Signing.PrivateKey, trustDomain: String) {
        self.certificate = certificate
        self.key = key
        self.trustDomain = trustDomain
    }

    /// The authority in `folder`, created there on first use.
    public static func loadOrCreate(folder: URL, trustDomain: String, now: Date = Date()) throws(CustosError) -> X509Authority {
        let keyFile = folder.appendingPathComponent("x509-ca.key")
        let certificateFile = folder.appendingPathComponent("x509-ca.crt")
        do {
            if FileManager.default.fileExists(atPath: keyFile.path) {
                try SigningKeyStore.requireOwnerOnly(keyFile)
                let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOf: keyFile, encoding: .utf8))
                let certificate = try Certificate(pemEncoded: try String(contentsOf: certificateFile, encoding: .utf8))
                guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
                    throw CustosError.internalError("\(certificateFile.path) does not belong to \(keyFile.path)")
                }
                return X509Authority(certificate: certificate, key: key, trustDomain: trustDomain)
            }
            let key = P256.Signing.PrivateKey()
            let authority = X509Authority(
                certificate: try makeCACertificate(key: key, trustDomain: trustDomain, now: now), key: key, trustDomain: trustDomain)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(
                atPath: keyFile.path, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
            else { throw CustosError.internalError("cannot write \(keyFile.path)") }
            guard FileManager.default.createFile(
                atPath: certificateFile.path, contents: Data(authority.bundlePEM.utf8), attributes: [.posixPermissions: 0o600])
            else { throw CustosError.internalError("cannot write \(certificateFile.path)") }
            return authority
        } catch let error as CustosError {
            throw error
        } catch {
            throw .internalError("cannot load or create the X.509 CA in \(folder.path): \(error)")
        }
    }

    private static func makeCACertificate(key: P256.Signing.PrivateKey, trustDomain: String, now: Date) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("Custos")
            CommonName("Custos X.509-SVID CA \(trustDomain)")
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(caLifetime), issuer: name,
            subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                Critical(NameConstraints(permittedURIDomains: [trustDomain]))
                SubjectAlternativeNames([.uniformResourceIdentifier("spiffe://\(trustDomain)")])
                SubjectKeyIdentifier(keyIdentifier: keyIdentifier(publicKey))
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    /// SHA-1 of the public key bits (RFC 5280 §4.2.1.2, method 1), as identifiers are conventionally made.
    static func keyIdentifier(_ key: Certificate.PublicKey) -> ArraySlice<UInt8> {
        ArraySlice(Insecure.SHA1.hash(data: key.subjectPublicKeyInfoBytes))
    }

    /// The CA certificate in PEM: the X.509 trust bundle of the trust domain.
    public var bundlePEM: String { Self.pem(certificate) }

    /// A certificate in PEM.
    public static func pem(_ certificate: Certificate) -> String {
        (try? certificate.serializeAsPEM().pemString) ?? ""
    }

    /// The CA as a JWK of the SPIFFE trust bundle (`use: x509-svid`, the certificate in `x5c`).
    public var bundleJWK: [String: Any] {
        let (x, y) = SigningKey.coordinates(of: key.publicKey)
        var der = DER.Serializer()
        let encoded = (try? der.serialize(certificate)).map { Data(der.serializedBytes).base64EncodedString() } ?? ""
        return ["kty": "EC", "crv": "P-256", "use": "x509-svid", "x": x, "y": y, "x5c": [encoded]]
    }

    /// Issues an X.509-SVID for `spiffeID` from a PEM CSR. The CSR proves possession of a P-256 key;
    /// its subject is ignored and it may ask for no name but `spiffeID` itself: the identity comes from
    /// the verified caller, never from the CSR.
    public func issue(csrPEM: String, for spiffeID: SPIFFEID, lifetime: TimeInterval, now: Date) throws(CustosError) -> Certificate {
        guard spiffeID.trustDomain == trustDomain else { throw .forbidden("the SPIFFE ID is not in this trust domain") }
        guard csrPEM.utf8.count <= Self.maximumCSRSize else { throw .invalidRequest("the CSR is larger than 16 KiB") }
        guard let csr = try? CertificateSigningRequest(pemEncoded: csrPEM) else {
            throw .invalidRequest("the CSR is not a PEM-encoded PKCS#10 certification request")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw .invalidRequest("the CSR's signature does not verify with its own key")
        }
        guard P256.Signing.PublicKey(csr.publicKey) != nil else { throw .invalidRequest("the CSR's key must be an EC P-256 key") }
        try Self.checkRequestedExtensions(csr, spiffeID: spiffeID)
        let notAfter = min(now.addingTimeInterval(lifetime), certificate.notValidAfter)
        guard notAfter > now else { throw .unavailable("the X.509 CA certificate has expired") }
        do {
            return try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: csr.publicKey,
                notValidBefore: now.addingTimeInterval(-30), notValidAfter: notAfter, issuer: certificate.subject,
                subject: try DistinguishedName { OrganizationName("Custos") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyAgreement: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    SubjectAlternativeNames([.uniformResourceIdentifier(spiffeID.description)])
                    SubjectKeyIdentifier(keyIdentifier: Self.keyIdentifier(csr.publicKey))
                    AuthorityKeyIdentifier(keyIdentifier: Self.keyIdentifier(certificate.publicKey))
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
        } catch {
            throw .internalError("cannot sign the X.509-SVID")
        }
    }

    /// Refuses a CSR that asks for a name other than `spiffeID`, or to be a CA.
    private static func checkRequestedExtensions(_ csr: CertificateSigningRequest, spiffeID: SPIFFEID) throws(CustosError) {
        let requested: Certificate.Extensions?
        do {
            requested = try csr.attributes.extensionRequest?.extensions
        } catch {
            throw .invalidRequest("the CSR's extension request is malformed")
        }
        guard let requested else { return }
        let names: SubjectAlternativeNames?
        let constraints: BasicConstraints?
        do {
            names = try requested.subjectAlternativeNames
            constraints = try requested.basicConstraints
        } catch {
            throw .invalidRequest("the CSR's requested extensions are malformed")
        }
        for name in names ?? SubjectAlternativeNames([]) {
            guard case .uniformResourceIdentifier(let uri) = name, uri == spiffeID.description else {
                throw .forbidden("the CSR asks for the name \(name), but an X.509-SVID carries only the caller's SPIFFE ID \(spiffeID)")
            }
        }
        if case .isCertificateAuthority = constraints {
            throw .forbidden("the CSR asks to be a certificate authority")
        }
    }
}

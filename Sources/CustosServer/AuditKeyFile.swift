import CustosAudit
import CustosCore
import CustosIdentity
import Foundation

/// The audit log's Ed25519 checkpoint key: `<data-dir>/keys/audit.key`, mode 0600, holding the
/// signer key text. Generated on first start; a file others can read, or one for another origin,
/// is refused.
struct AuditKeyFile {
    let folder: URL

    var file: URL { folder.appendingPathComponent("keys/audit.key") }

    func load(origin: String) throws(CustosError) -> NoteSigner {
        let manager = FileManager.default
        if manager.fileExists(atPath: file.path) {
            try SigningKeyStore.requireOwnerOnly(file)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw .unavailable("cannot read \(file.path)") }
            let signer: NoteSigner
            do {
                signer = try NoteSigner(signerKey: text.trimmingCharacters(in: .whitespacesAndNewlines))
            } catch {
                throw .unavailable("\(file.path) is not an audit signing key: \(error)")
            }
            guard signer.verifier.name.utf8.elementsEqual(origin.utf8) else {
                throw .unavailable(
                    "\(file.path) signs for the log `\(signer.verifier.name)`, but audit.origin is `\(origin)`")
            }
            return signer
        }
        let signer: NoteSigner
        do {
            signer = try NoteSigner(name: origin)
        } catch {
            throw .invalidRequest("\(error)")
        }
        do {
            try manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unavailable("cannot create \(file.deletingLastPathComponent().path)")
        }
        guard manager.createFile(atPath: file.path, contents: Data((signer.signerKey + "\n").utf8),
                                 attributes: [.posixPermissions: 0o600])
        else { throw .unavailable("cannot write \(file.path)") }
        return signer
    }
}

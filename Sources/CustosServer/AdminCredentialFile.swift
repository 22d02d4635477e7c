import CustosCore
import CustosIdentity
import Foundation

/// Where the admin credential's digest lives: `<data-dir>/admin-token.sha256`, mode 0600.
struct AdminCredentialFile {
    let folder: URL

    var file: URL { folder.appendingPathComponent("admin-token.sha256") }

    /// The credential to enforce, and the new token when one was generated now (first start).
    func load(configured: String?) throws(CustosError) -> (AdminCredential, String?) {
        if let configured { return (try AdminCredential(hexDigest: configured), nil) }
        if FileManager.default.fileExists(atPath: file.path) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw .unavailable("cannot read \(file.path)")
            }
            return (try AdminCredential(hexDigest: text), nil)
        }
        let (token, credential) = AdminCredential.generate()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((credential.hexDigest + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600])
        else { throw .unavailable("cannot write \(file.path)") }
        return (credential, token)
    }
}

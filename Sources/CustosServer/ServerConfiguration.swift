public import CustosCore
import CustosAudit
import CustosIdentity
public import Foundation
import Yams

/// How `custos serve` runs. Read from YAML; every field has a safe default, and command-line flags
/// override the file.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to listen on; loopback unless configured otherwise.
    public var host: String = "127.0.0.1"
    public var port: Int = 8443
    /// Folder for the database, keys and the admin credential digest.
    public var dataDirectory: String = "./.custos"
    /// The SPIFFE trust domain of the identities this control plane issues.
    public var trustDomain: String = "custos.local"
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel: String = "info"
    /// SHA-256 (hex) of the admin token, when the operator provides the credential instead of letting
    /// Custos generate one on first start.
    public var adminTokenSHA256: String?
    /// Largest request body accepted, in bytes.
    public var maxRequestBytes: Int = 64 * 1024
    /// The audit log's name: the origin line of its checkpoints and the name of its signing key.
    /// Defaults to `<trust_domain>/audit`.
    public var auditOrigin: String?
    /// How often a checkpoint is signed when the log has grown, in seconds.
    public var checkpointIntervalSeconds: Int = 60

    public init() {}

    /// ``auditOrigin`` or its default.
    public var effectiveAuditOrigin: String { auditOrigin ?? "\(trustDomain)/audit" }

    /// Reads the YAML file; unknown keys are errors, so that a typo does not silently change nothing.
    public init(yaml text: String) throws(CustosError) {
        let node: Any?
        do {
            node = try Yams.load(yaml: text)
        } catch {
            throw .invalidRequest("the configuration is not valid YAML: \(error)")
        }
        guard let root = node as? [String: Any] ?? (node == nil ? [:] : nil) else {
            throw .invalidRequest("the configuration must be a YAML mapping")
        }
        let known: Set<String> = ["listen", "data_dir", "trust_domain", "log_level", "admin", "max_request_bytes", "audit"]
        for key in root.keys where !known.contains(key) {
            throw .invalidRequest("unknown configuration key `\(key)`")
        }
        if let listen = try Self.value([String: Any].self, root, "listen") {
            for key in listen.keys where !["host", "port"].contains(key) {
                throw .invalidRequest("unknown configuration key `listen.\(key)`")
            }
            host = try Self.value(String.self, listen, "host", path: "listen.host") ?? host
            port = try Self.value(Int.self, listen, "port", path: "listen.port") ?? port
        }
        dataDirectory = try Self.value(String.self, root, "data_dir") ?? dataDirectory
        trustDomain = try Self.value(String.self, root, "trust_domain") ?? trustDomain
        logLevel = try Self.value(String.self, root, "log_level") ?? logLevel
        maxRequestBytes = try Self.value(Int.self, root, "max_request_bytes") ?? maxRequestBytes
        if let admin = try Self.value([String: Any].self, root, "admin") {
            for key in admin.keys where key != "token_sha256" {
                throw .invalidRequest("unknown configuration key `admin.\(key)`")
            }
            adminTokenSHA256 = try Self.value(String.self, admin, "token_sha256", path: "admin.token_sha256")
        }
        if let audit = try Self.value([String: Any].self, root, "audit") {
            for key in audit.keys where !["origin", "checkpoint_interval_seconds"].contains(key) {
                throw .invalidRequest("unknown configuration key `audit.\(key)`")
            }
            auditOrigin = try Self.value(String.self, audit, "origin", path: "audit.origin")
            checkpointIntervalSeconds =
                try Self.value(Int.self, audit, "checkpoint_interval_seconds", path: "audit.checkpoint_interval_seconds")
                ?? checkpointIntervalSeconds
        }
        try validate()
    }

    /// `mapping[key]` as a `T`, nil when absent, an error naming the key when of another type.
    private static func value<T>(_ type: T.Type, _ mapping: [String: Any], _ key: String, path: String? = nil)
        throws(CustosError) -> T?
    {
        guard let raw = mapping[key] else { return nil }
        guard let typed = raw as? T else {
            let kind = T.self == Int.self ? "a number" : T.self == String.self ? "a string" : "a mapping"
            throw .invalidRequest("`\(path ?? key)` must be \(kind)")
        }
        return typed
    }

    public func validate() throws(CustosError) {
        guard (0...65535).contains(port) else { throw .invalidRequest("the port must be 0-65535 (0: any free port)") }
        guard !host.isEmpty else { throw .invalidRequest("the listen host must not be empty") }
        guard !dataDirectory.isEmpty else { throw .invalidRequest("the data folder must not be empty") }
        _ = try SPIFFEID(trustDomain: trustDomain, path: "agent")
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw .invalidRequest("unknown log level `\(logLevel)`")
        }
        if let adminTokenSHA256 { _ = try AdminCredential(hexDigest: adminTokenSHA256) }
        guard (1024...(16 * 1024 * 1024)).contains(maxRequestBytes) else {
            throw .invalidRequest("max_request_bytes must be 1024-16777216")
        }
        guard SignedNote.isValidName(effectiveAuditOrigin), effectiveAuditOrigin.utf8.count <= 256 else {
            throw .invalidRequest("audit.origin must be 1-256 bytes without spaces or `+`, e.g. `example.com/audit`")
        }
        guard (1...86_400).contains(checkpointIntervalSeconds) else {
            throw .invalidRequest("audit.checkpoint_interval_seconds must be 1-86400")
        }
    }
}

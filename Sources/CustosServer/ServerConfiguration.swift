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
    /// How long audit records are kept, in days; nil keeps them for ever. Older records are pruned
    /// hourly, keeping the tree verifiable (docs/AUDIT.md, Retention).
    public var auditRetentionDays: Int?
    /// The Cedar schema policies are validated against (`.cedarschema` or `.json`); nil: the agent
    /// domain schema Custos ships.
    public var policySchemaFile: String?
    /// Cedar entities (JSON) beside the registry's: servers, tools, datasets, users, groups…
    public var policyEntitiesFile: String?
    /// Cedar policies that become version 1 when the policy store is empty.
    public var initialPoliciesFile: String?
    /// The time zone of `context.time` (an IANA name).
    public var policyTimeZone: String = "UTC"
    /// Whether the AuthZEN endpoints answer callers without a credential. Off unless a configuration
    /// says so explicitly (the interop examples do; a deployment should not).
    public var authzenAllowUnauthenticated = false
    /// Whether every AuthZEN decision is appended to the audit log before it is answered.
    public var authzenAuditDecisions = true
    /// The audience an agent's JWT-SVID must name to call the AuthZEN endpoints (its blueprint must
    /// also hold the scope `pdp:evaluate`).
    public var authzenAudience: String = "custos-pdp"
    /// Custos's issuer identifier: the `iss` of its grants, and the audience an agent's JWT-SVID names
    /// when it talks to Custos itself (token exchange, introspection, revocation). Defaults to
    /// `spiffe://<trust_domain>/custos`.
    public var identityIssuer: String?
    /// The URL clients reach Custos at (scheme, host, port), for checking the `htu` of DPoP proofs;
    /// nil: `http://` and the request's Host header. Set it behind a TLS-terminating proxy.
    public var publicURL: String?
    /// Identity providers whose users' tokens are accepted as `subject_token` in token exchange.
    public var trustedIssuers: [TrustedIssuerConfiguration] = []
    /// Where the server's tasks (request handlers among them) run.
    public var executor: Executor = .cooperative

    /// Where a server's tasks run: Swift's cooperative thread pool, or the HTTP event loops' threads.
    public enum Executor: String, Sendable, Equatable {
        /// Swift's own pool (the default): the event loops parse and write, the pool runs handlers.
        case cooperative
        /// The event loops run the handlers too: one thread hop fewer per request, so a lower tail
        /// latency for a decision point that answers without waiting for the audit log; slower when
        /// every answer waits for a durable audit record (docs/BENCHMARKS.md).
        case eventLoops = "event_loops"
    }

    public init() {}

    /// ``identityIssuer`` or its default.
    public var effectiveIssuer: String { identityIssuer ?? "spiffe://\(trustDomain)/custos" }

    /// ``auditOrigin`` or its default.
    public var effectiveAuditOrigin: String { auditOrigin ?? "\(trustDomain)/audit" }

    /// Reads the YAML file; unknown keys are errors, so that a typo does not silently change nothing.
    /// Relative file names in it resolve against `baseDirectory` (the folder of the file).
    public init(yaml text: String, baseDirectory: String? = nil) throws(CustosError) {
        let node: Any?
        do {
            node = try Yams.load(yaml: text)
        } catch {
            throw .invalidRequest("the configuration is not valid YAML: \(error)")
        }
        guard let root = node as? [String: Any] ?? (node == nil ? [:] : nil) else {
            throw .invalidRequest("the configuration must be a YAML mapping")
        }
        let known: Set<String> = [
            "listen", "data_dir", "trust_domain", "log_level", "admin", "max_request_bytes", "audit", "policy", "authzen",
            "identity", "executor",
        ]
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
        if let name = try Self.value(String.self, root, "executor") {
            guard let chosen = Executor(rawValue: name) else {
                throw .invalidRequest("executor must be `cooperative` or `event_loops`, not `\(name)`")
            }
            executor = chosen
        }
        if let admin = try Self.value([String: Any].self, root, "admin") {
            for key in admin.keys where key != "token_sha256" {
                throw .invalidRequest("unknown configuration key `admin.\(key)`")
            }
            adminTokenSHA256 = try Self.value(String.self, admin, "token_sha256", path: "admin.token_sha256")
        }
        if let audit = try Self.value([String: Any].self, root, "audit") {
            for key in audit.keys where !["origin", "checkpoint_interval_seconds", "retention_days"].contains(key) {
                throw .invalidRequest("unknown configuration key `audit.\(key)`")
            }
            auditOrigin = try Self.value(String.self, audit, "origin", path: "audit.origin")
            checkpointIntervalSeconds =
                try Self.value(Int.self, audit, "checkpoint_interval_seconds", path: "audit.checkpoint_interval_seconds")
                ?? checkpointIntervalSeconds
            auditRetentionDays = try Self.value(Int.self, audit, "retention_days", path: "audit.retention_days")
        }
        func path(_ name: String?) -> String? {
            guard let name, let baseDirectory, !name.hasPrefix("/") else { return name }
            return URL(fileURLWithPath: baseDirectory, isDirectory: true).appendingPathComponent(name).path
        }
        if let policy = try Self.value([String: Any].self, root, "policy") {
            for key in policy.keys where !["schema", "entities", "policies", "time_zone"].contains(key) {
                throw .invalidRequest("unknown configuration key `policy.\(key)`")
            }
            policySchemaFile = path(try Self.value(String.self, policy, "schema", path: "policy.schema"))
            policyEntitiesFile = path(try Self.value(String.self, policy, "entities", path: "policy.entities"))
            initialPoliciesFile = path(try Self.value(String.self, policy, "policies", path: "policy.policies"))
            policyTimeZone = try Self.value(String.self, policy, "time_zone", path: "policy.time_zone") ?? policyTimeZone
        }
        if let authzen = try Self.value([String: Any].self, root, "authzen") {
            for key in authzen.keys where !["allow_unauthenticated", "audit_decisions", "audience"].contains(key) {
                throw .invalidRequest("unknown configuration key `authzen.\(key)`")
            }
            authzenAllowUnauthenticated =
                try Self.value(Bool.self, authzen, "allow_unauthenticated", path: "authzen.allow_unauthenticated")
                ?? authzenAllowUnauthenticated
            authzenAuditDecisions =
                try Self.value(Bool.self, authzen, "audit_decisions", path: "authzen.audit_decisions")
                ?? authzenAuditDecisions
            authzenAudience = try Self.value(String.self, authzen, "audience", path: "authzen.audience") ?? authzenAudience
        }
        if let identity = try Self.value([String: Any].self, root, "identity") {
            for key in identity.keys where !["issuer", "trusted_issuers", "public_url"].contains(key) {
                throw .invalidRequest("unknown configuration key `identity.\(key)`")
            }
            identityIssuer = try Self.value(String.self, identity, "issuer", path: "identity.issuer")
            publicURL = try Self.value(String.self, identity, "public_url", path: "identity.public_url")
            let list = try Self.value([Any].self, identity, "trusted_issuers", path: "identity.trusted_issuers") ?? []
            for (index, item) in list.enumerated() {
                let at = "identity.trusted_issuers[\(index)]"
                guard let entry = item as? [String: Any] else { throw .invalidRequest("`\(at)` must be a mapping") }
                for key in entry.keys where !["issuer", "audience", "jwks_file", "jwks_url"].contains(key) {
                    throw .invalidRequest("unknown configuration key `\(at).\(key)`")
                }
                guard let issuer = try Self.value(String.self, entry, "issuer", path: "\(at).issuer") else {
                    throw .invalidRequest("`\(at).issuer` is required")
                }
                trustedIssuers.append(TrustedIssuerConfiguration(
                    issuer: issuer, audience: try Self.value(String.self, entry, "audience", path: "\(at).audience"),
                    jwksFile: path(try Self.value(String.self, entry, "jwks_file", path: "\(at).jwks_file")),
                    jwksURL: try Self.value(String.self, entry, "jwks_url", path: "\(at).jwks_url")))
            }
        }
        try validate()
    }

    /// `mapping[key]` as a `T`, nil when absent, an error naming the key when of another type.
    private static func value<T>(_ type: T.Type, _ mapping: [String: Any], _ key: String, path: String? = nil)
        throws(CustosError) -> T?
    {
        guard let raw = mapping[key] else { return nil }
        guard let typed = raw as? T else {
            let kind =
                T.self == Int.self
                ? "a number"
                : T.self == String.self
                    ? "a string" : T.self == Bool.self ? "true or false" : T.self == [Any].self ? "a list" : "a mapping"
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
        if let days = auditRetentionDays, !(1...36_500).contains(days) {
            throw .invalidRequest("audit.retention_days must be 1-36500 (leave it out to keep every record)")
        }
        guard TimeZone(identifier: policyTimeZone) != nil else {
            throw .invalidRequest("policy.time_zone `\(policyTimeZone)` is not a known time zone (e.g. UTC, Europe/Zurich)")
        }
        guard !authzenAudience.isEmpty, authzenAudience.utf8.count <= 512 else {
            throw .invalidRequest("authzen.audience must be 1-512 bytes")
        }
        guard !effectiveIssuer.isEmpty, effectiveIssuer.utf8.count <= 512 else {
            throw .invalidRequest("identity.issuer must be 1-512 bytes")
        }
        if let publicURL {
            guard let url = URLComponents(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                url.path.isEmpty || url.path == "/", url.query == nil
            else { throw .invalidRequest("identity.public_url must be like https://custos.example.com (no path)") }
        }
        guard Set(trustedIssuers.map(\.issuer)).count == trustedIssuers.count else {
            throw .invalidRequest("identity.trusted_issuers names an issuer twice")
        }
        for trusted in trustedIssuers { try trusted.validate() }
    }
}

/// An identity provider whose users' tokens Custos accepts in token exchange.
public struct TrustedIssuerConfiguration: Sendable, Equatable {
    /// Its issuer identifier, exactly as in its tokens' `iss`.
    public var issuer: String
    /// The audience its tokens must carry to be exchanged here; nil: Custos's issuer identifier.
    public var audience: String?
    /// Its public keys, as a JWKS file…
    public var jwksFile: String?
    /// …or fetched from this URL (https, or http on loopback only).
    public var jwksURL: String?

    public init(issuer: String, audience: String? = nil, jwksFile: String? = nil, jwksURL: String? = nil) {
        self.issuer = issuer
        self.audience = audience
        self.jwksFile = jwksFile
        self.jwksURL = jwksURL
    }

    func validate() throws(CustosError) {
        guard !issuer.isEmpty, issuer.utf8.count <= 512 else {
            throw .invalidRequest("identity.trusted_issuers: an issuer is 1-512 bytes")
        }
        guard (jwksFile == nil) != (jwksURL == nil) else {
            throw .invalidRequest("identity.trusted_issuers `\(issuer)`: give exactly one of jwks_file and jwks_url")
        }
        if let jwksURL {
            guard let url = URL(string: jwksURL), let host = url.host, url.scheme == "https"
                || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
            else {
                throw .invalidRequest("identity.trusted_issuers `\(issuer)`: jwks_url must be https (http only on loopback)")
            }
        }
    }
}

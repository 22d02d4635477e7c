import ArgumentParser
import CustosCore
import CustosIdentity
import CustosStore
import Foundation

struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity", abstract: "Agent identities: the credential benchmark (signing keys: `custos keys`).",
        subcommands: [IdentityBench.self])
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The JWT signing keys of a running server.",
        subcommands: [KeysList.self, KeysRotate.self], defaultSubcommand: KeysList.self)
}

struct KeysList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The current signing key, and those still verifying.")
    @OptionGroup var server: ServerOptions
    func run() async throws { try await server.call("GET", "/v1/keys") }
}

struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Rotate the JWT signing key: a new key signs from now; the previous one verifies for 24 h more.")
    @OptionGroup var server: ServerOptions
    func run() async throws { try await server.call("POST", "/v1/keys/rotate") }
}

struct IdentityBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure credential issuance and verification on one core; prints one JSON object.",
        discussion: """
            In process, on one thread: JWT-SVID issuance (claims, ES256 signature, encoding); cold
            verification (every token new: parse, signature, claims, time, audience, revocation);
            warm verification (the same token again: cache, time, audience, revocation); the same for
            grants; and the kill: a revocation written to a SQLite database (synchronous=FULL) and put in
            force, until the next verification of a token it revokes fails.
            """
    )

    @Option(help: "Tokens to issue and verify cold.") var tokens = 20_000
    @Option(help: "Warm verifications.") var warm = 2_000_000
    @Option(help: "Kills to time.") var kills = 200

    func run() async throws {
        let key = SigningKey.generate()
        let revocations = RevocationState()
        let time = Date()
        let agent = Agent(
            id: try AgentID("bench"), name: "bench", sponsor: "dana", owners: [], purpose: "", zone: "prod", groups: [],
            blueprint: Blueprint(scopes: ["a", "b"], servers: ["https://tools.example"], maxCredentialTTLSeconds: 3600),
            status: .active, revocationEpoch: 0, createdAt: time, updatedAt: time, lastSeenAt: nil)
        revocations.load(agents: [agent], revocations: [], epoch: 0)
        let issuer = JWTSVIDIssuer(key: key, trustDomain: "bench.local")
        let verifier = TokenVerifier(keys: KeyRing(current: key), trustDomain: "bench.local", revocations: revocations)
        var result: [String: Any] = ["tokens": tokens, "warm_verifications": warm]

        var issued: [String] = []
        issued.reserveCapacity(tokens)
        var started = ContinuousClock.now
        for index in 0..<tokens {
            issued.append(try issuer.issue(
                for: agent, instance: "i\(index)", audience: "https://tools.example", requestedTTL: 3600, now: time, epoch: 0
            ).token)
        }
        result["svid_issued_per_second"] = Self.rate(tokens, since: started)

        started = ContinuousClock.now
        for token in issued { _ = try verifier.verify(token, audience: "https://tools.example", now: time) }
        result["svid_verified_cold_per_second"] = Self.rate(tokens, since: started)

        let token = issued[0]
        started = ContinuousClock.now
        for _ in 0..<warm { _ = try verifier.verify(token, audience: "https://tools.example", now: time) }
        result["svid_verified_warm_per_second"] = Self.rate(warm, since: started)

        try measureGrants(key: key, revocations: revocations, agent: agent, time: time, into: &result)
        try await measureKills(issuer: issuer, verifier: verifier, agent: agent, into: &result)
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func measureGrants(
        key: SigningKey, revocations: RevocationState, agent: Agent, time: Date, into result: inout [String: Any]
    ) throws {
        let grantIssuer = GrantIssuer(key: key)
        let verifier = GrantVerifier(keys: KeyRing(current: key), issuer: "custos", trustDomain: "bench.local", revocations: revocations)
        let actor = VerifiedSVID(
            agent: agent.id, instance: "i0", spiffeID: try SPIFFEID(parsing: "spiffe://bench.local/agent/bench/i/i0"),
            claims: SVIDClaims(sub: "spiffe://bench.local/agent/bench/i/i0", aud: "custos", exp: 0, iat: 0, jti: "j", epoch: 0))
        let user = SubjectClaims(issuer: "idp", subject: "alice", exp: Int64(time.timeIntervalSince1970) + 3600, scopes: ["a", "b"])
        var grants: [String] = []
        grants.reserveCapacity(tokens)
        var started = ContinuousClock.now
        for _ in 0..<tokens {
            let claims = try Delegation.grant(
                from: .subject(user), actor: actor, agent: agent,
                request: ExchangeRequest(scopes: ["a"], audience: "https://tools.example", ttl: 600, singleUse: false, confirmation: nil),
                issuer: "custos", epoch: 0, now: time)
            grants.append(try grantIssuer.sign(claims))
        }
        result["grant_issued_per_second"] = Self.rate(tokens, since: started)
        started = ContinuousClock.now
        for grant in grants { _ = try verifier.verify(grant, audience: "https://tools.example", now: time) }
        result["grant_verified_cold_per_second"] = Self.rate(tokens, since: started)
        started = ContinuousClock.now
        for _ in 0..<warm { _ = try verifier.verify(grants[0], audience: "https://tools.example", now: time) }
        result["grant_verified_warm_per_second"] = Self.rate(warm, since: started)
    }

    /// Each kill revokes one instance durably, then the instance's token is verified until it fails.
    private func measureKills(
        issuer: JWTSVIDIssuer, verifier: TokenVerifier, agent: Agent, into result: inout [String: Any]
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-identity-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("custos.sqlite").path)
        var latencies: [Double] = []
        for index in 0..<kills {
            let instance = "k\(index)"
            let now = Date()
            let token = try issuer.issue(
                for: agent, instance: instance, audience: "a", requestedTTL: 600, now: now, epoch: verifier.revocations.currentEpoch
            ).token
            _ = try verifier.verify(token, audience: "a", now: now)
            let started = ContinuousClock.now
            let revocation = try await store.revocations.revoke(
                scope: .instance, target: "bench/\(instance)", reason: "", revokedBy: "bench", at: now, expiresAt: nil)
            verifier.revocations.apply(revocation)
            guard (try? verifier.verify(token, audience: "a", now: now)) == nil else { throw ValidationError("a killed token verified") }
            latencies.append(AuditBench.microseconds(ContinuousClock.now - started))
        }
        latencies.sort()
        result["kill_to_refusal_p50_microseconds"] = Int(latencies[latencies.count / 2])
        result["kill_to_refusal_p99_microseconds"] = Int(latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    static func rate(_ count: Int, since started: ContinuousClock.Instant) -> Int {
        Int(Double(count) / (AuditBench.microseconds(ContinuousClock.now - started) / 1e6))
    }
}

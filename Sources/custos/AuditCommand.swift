import ArgumentParser
import CustosAudit
import CustosCore
import CustosStore
import Foundation

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, search and prove the tamper-evident audit log.",
        discussion: """
            `verify` works offline, on a data folder or an exported bundle. The other subcommands ask a
            running control plane, with the admin token from CUSTOS_ADMIN_TOKEN or --admin-token-file.
            """,
        subcommands: [AuditVerify.self, AuditSearch.self, AuditTail.self, AuditCheckpointCommand.self, AuditProof.self,
            AuditBundleCommand.self, AuditExport.self, AuditBench.self]
    )
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the log from its records and check it against its signed checkpoints.",
        discussion: """
            Without --bundle: reads <data-dir>/audit.sqlite (read-only; the server may be running),
            recomputes every leaf hash and the tree, and checks every stored checkpoint's signature and
            root. With --bundle: checks an exported bundle's checkpoint and each record's inclusion proof.
            The verifier key (`<origin>+<key id>+<key>`, printed by `GET /v1/audit` and in the server log)
            should come from a trusted copy; without --key, verify derives it from the data folder's
            signing key. Exits 1 and names the first bad record when anything does not verify.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data folder (default ./.custos).") var dataDir = "./.custos"
    @Option(name: .long, help: "An exported bundle to check instead of the data folder.") var bundle: String?
    @Option(name: .long, help: "The log's verifier key.") var key: String?

    func run() async throws {
        do {
            let verifier = try verifierKey()
            if let bundle {
                try verify(bundle: bundle, with: verifier)
            } else {
                try await verifyDataFolder(with: verifier)
            }
        } catch let error as CustosError {
            throw CommandFailure(error.message).report()
        } catch let error as NoteError {
            throw CommandFailure("invalid key: \(error)").report()
        }
    }

    private func verifierKey() throws -> NoteVerifier {
        if let key { return try NoteVerifier(verifierKey: key) }
        guard bundle == nil else { throw CustosError.invalidRequest("checking a bundle needs --key: the log's verifier key") }
        let file = URL(fileURLWithPath: dataDir).appendingPathComponent("keys/audit.key")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw CustosError.invalidRequest("cannot read \(file.path); pass --key")
        }
        return try NoteSigner(signerKey: text.trimmingCharacters(in: .whitespacesAndNewlines)).verifier
    }

    private func verify(bundle path: String, with verifier: NoteVerifier) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CustosError.invalidRequest("cannot read \(path)") }
        let report = try AuditBundle(data: data).verify(with: verifier)
        for problem in report.problems { print("FAIL \(problem)") }
        if let checkpoint = report.checkpoint {
            print("checkpoint: \(checkpoint.origin), \(checkpoint.size) records, root \(checkpoint.root.base64)")
        }
        guard report.isValid else {
            print("bundle does NOT verify" + (report.firstBadIndex.map { "; first bad record: \($0)" } ?? ""))
            throw ExitCode.failure
        }
        print("bundle verifies: \(report.verified) records included in the signed checkpoint")
    }

    private func verifyDataFolder(with verifier: NoteVerifier) async throws {
        let path = URL(fileURLWithPath: dataDir).appendingPathComponent("audit.sqlite").path
        let store = try SQLiteAuditStore(readingOnly: path)
        let started = Date()
        let report = try await store.read { try LogVerifier.verify($0, verifier: verifier) }
        let seconds = Date().timeIntervalSince(started)
        for problem in report.problems { print("FAIL \(problem)") }
        print("records: \(report.records), root \(report.root.base64), checkpoints verified: \(report.checkpointsVerified)")
        guard report.isValid else {
            print("log does NOT verify" + (report.firstBadIndex.map { "; first bad record: \($0)" } ?? ""))
            throw ExitCode.failure
        }
        let rate = seconds > 0 ? Int(Double(report.records) / seconds) : 0
        print("log verifies (\(String(format: "%.2f", seconds)) s, \(rate) records/s)")
    }
}

/// Filters shared by `search` and `tail`.
struct AuditFilters: ParsableArguments {
    @Option(help: "Only records of this agent.") var agent: String?
    @Option(help: "Only records of agents with this sponsor.") var sponsor: String?
    @Option(help: "Only records authorized by this user.") var user: String?
    @Option(help: "Only this action.") var action: String?
    @Option(help: "allow, deny or needs_approval.") var decision: String?
    @Option(help: "Only this session.") var session: String?
    @Option(help: "decision, event or external.") var kind: String?
    @Option(help: "Only this event (e.g. agent.registered).") var event: String?
    @Option(help: "From this time (RFC 3339).") var from: String?
    @Option(help: "Until this time (RFC 3339, exclusive).") var until: String?

    func query(after: UInt64?, limit: Int) -> String {
        var items = [URLQueryItem(name: "limit", value: String(limit))]
        if let after { items.append(URLQueryItem(name: "after", value: String(after))) }
        let named: [(String, String?)] = [
            ("agent", agent), ("sponsor", sponsor), ("user", user), ("action", action), ("decision", decision),
            ("session", session), ("kind", kind), ("event", event), ("from", from), ("until", until),
        ]
        for case let (name, value?) in named { items.append(URLQueryItem(name: name, value: value)) }
        var components = URLComponents()
        components.queryItems = items
        return components.percentEncodedQuery ?? ""
    }
}

/// A page of `/v1/audit/records`, as the CLI reads it.
struct AuditRecordPage: Decodable {
    struct Entry: Decodable {
        var index: UInt64
    }
    var records: [Entry]
    var next: String?
}

/// Prints each record of the page as one JSON line; returns the last index and the `next` cursor.
func printRecordLines(_ data: Data) throws -> (last: UInt64?, next: String?) {
    let page = try JSONDecoder().decode(AuditRecordPage.self, from: data)
    let raw = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["records"] as? [Any] ?? []
    for entry in raw {
        let line = try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: line, as: UTF8.self))
    }
    return (page.records.last?.index, page.next)
}

struct AuditSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Print matching records as JSON lines, oldest first.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: AuditFilters
    @Option(help: "Only records after this index (the `next` cursor).") var after: UInt64?
    @Option(help: "Most records to print (1-1000).") var limit = 100

    func run() async throws {
        let data = try await server.fetch("GET", "/v1/audit/records?" + filters.query(after: after, limit: limit))
        let (_, next) = try printRecordLines(data)
        if let next { FileHandle.standardError.write(Data("more: --after \(next)\n".utf8)) }
    }
}

struct AuditTail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Print the latest records; with -f, keep printing new ones as they arrive.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: AuditFilters
    @Flag(name: .shortAndLong, help: "Follow: poll for new records until interrupted.") var follow = false
    @Option(help: "Records to show first.") var lines = 10
    @Option(help: "Seconds between polls with -f.") var interval = 1.0

    func run() async throws {
        let info = try JSONDecoder().decode(LogSize.self, from: try await server.fetch("GET", "/v1/audit"))
        var after: UInt64? = info.size > UInt64(max(lines, 0)) ? info.size - UInt64(max(lines, 0)) - 1 : nil
        repeat {
            var next: String?
            repeat {
                let data = try await server.fetch("GET", "/v1/audit/records?" + filters.query(after: after, limit: 1000))
                let page = try printRecordLines(data)
                if let last = page.last { after = last }
                next = page.next
            } while next != nil
            if follow { try await Task.sleep(for: .seconds(max(0.1, interval))) }
        } while follow
    }

    struct LogSize: Decodable {
        var size: UInt64
    }
}

struct AuditCheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Print the latest signed checkpoint; with --sign, sign one of the log as it is now.")
    @OptionGroup var server: ServerOptions
    @Flag(help: "Sign a new checkpoint first.") var sign = false

    func run() async throws {
        try await server.call(sign ? "POST" : "GET", sign ? "/v1/audit/checkpoints" : "/v1/audit/checkpoint")
    }
}

struct AuditProof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print an inclusion proof (--index) or a consistency proof (--from) as JSON.")
    @OptionGroup var server: ServerOptions
    @Option(help: "Record to prove included.") var index: UInt64?
    @Option(name: .customLong("tree-size"), help: "Tree size to prove against (default: the whole log).") var treeSize: UInt64?
    @Option(help: "Older tree size of a consistency proof.") var from: UInt64?
    @Option(help: "Newer tree size of a consistency proof (default: the whole log).") var to: UInt64?

    func validate() throws {
        guard (index == nil) != (from == nil) else { throw ValidationError("give either --index or --from") }
    }

    func run() async throws {
        if let index {
            try await server.call("GET", "/v1/audit/proofs/inclusion?index=\(index)" + (treeSize.map { "&tree_size=\($0)" } ?? ""))
        } else if let from {
            try await server.call("GET", "/v1/audit/proofs/consistency?from=\(from)" + (to.map { "&to=\($0)" } ?? ""))
        }
    }
}

struct AuditBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Export records with a signed checkpoint and their inclusion proofs, for `custos audit verify --bundle`.")
    @OptionGroup var server: ServerOptions
    @Option(help: "First record.") var from: UInt64 = 0
    @Option(help: "Number of records (1-10000).") var count: UInt64 = 100

    func run() async throws {
        try await server.call("GET", "/v1/audit/bundle?from=\(from)&count=\(count)")
    }
}

struct AuditExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print matching records as JSON lines for a SIEM: plain records, or OCSF events (--format ocsf).",
        discussion: "Pages through the whole selection; with -f, keeps polling for new records.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var filters: AuditFilters
    @Option(help: "jsonl (the records) or ocsf (OCSF API Activity events).") var format = "jsonl"
    @Option(help: "Only records after this index.") var after: UInt64?
    @Flag(name: .shortAndLong, help: "Follow: poll for new records until interrupted.") var follow = false
    @Option(help: "Seconds between polls with -f.") var interval = 1.0

    func validate() throws {
        guard format == "jsonl" || format == "ocsf" else { throw ValidationError("--format must be jsonl or ocsf") }
    }

    func run() async throws {
        var cursor = after
        repeat {
            while true {
                let path = "/v1/audit/export?format=\(format)&" + filters.query(after: cursor, limit: 1000)
                let (data, next) = try await server.fetchWithNext(path)
                if !data.isEmpty { FileHandle.standardOutput.write(data) }
                if let last = Self.lastIndex(data, format: format) { cursor = last }
                guard next != nil else { break }
            }
            if follow { try await Task.sleep(for: .seconds(max(0.1, interval))) }
        } while follow
    }

    /// The index of the last line (plain: `index`; OCSF: `unmapped.custos.index`).
    static func lastIndex(_ data: Data, format: String) -> UInt64? {
        guard let line = data.split(separator: 0x0A).last,
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        else { return nil }
        let custos = (object["unmapped"] as? [String: Any])?["custos"] as? [String: Any]
        return ((format == "ocsf" ? custos?["index"] : object["index"]) as? NSNumber)?.uint64Value
    }
}

import ArgumentParser
import Cedar
import CustosPolicy
import Foundation

/// `custos policy push|pull|history|activate|rollback|diff|dry-run|schema`: the versioned policy store
/// of a running control plane.
struct PolicyPush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Store a policy file as a new version and activate it (after validation against the server's schema).")
    @OptionGroup var server: ServerOptions
    @Argument(help: "Cedar policy file (policies and templates).") var file: String
    @Option(name: .long, help: "Template links: a JSON array of {template, id, values}.") var links: String?
    @Option(name: [.short, .long], help: "Why this change.") var message: String = ""
    @Option(name: .long, help: "Who made it (recorded with the version and in the audit log).") var author: String?
    @Flag(name: .customLong("no-activate"), help: "Store the version without activating it.") var noActivate = false

    struct Body: Encodable {
        var policies: String
        var links: [TemplateLink]
        var message: String
        var author: String?
        var activate: Bool
    }

    func run() async throws {
        var templateLinks: [TemplateLink] = []
        if let links {
            do {
                templateLinks = try JSONDecoder().decode([TemplateLink].self, from: Data(try PolicyInputs.text(links).utf8))
            } catch let error as DecodingError {
                throw ValidationError("\(links) is not a JSON array of {template, id, values}: \(error)")
            }
        }
        let body = Body(
            policies: try PolicyInputs.text(file), links: templateLinks, message: message,
            author: author ?? ProcessInfo.processInfo.environment["USER"], activate: !noActivate)
        try await server.call("POST", "/v1/policies", body: body)
    }
}

struct PolicyPull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Print the Cedar text of the active version (or of --version).")
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "Version number (default: the active one).") var version: Int?

    func run() async throws {
        var number = version
        if number == nil {
            let history = try JSONSerialization.jsonObject(with: try await server.fetch("GET", "/v1/policies?limit=1"))
            guard let active = (history as? [String: Any])?["active"] as? Int else {
                throw CommandFailure("no policy version is active").report()
            }
            number = active
        }
        let data = try await server.fetch("GET", "/v1/policies/\(number!)")
        guard let text = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["policies"] as? String else {
            throw CommandFailure("the server's answer has no policy text").report()
        }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}

struct PolicyHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List policy versions, newest first.")
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "How many (1-1000).") var limit: Int = 20

    func run() async throws {
        try await server.call("GET", "/v1/policies?limit=\(limit)")
    }
}

struct PolicyActivate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Make a stored version active.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "Version number.") var version: Int

    func run() async throws {
        try await server.call("POST", "/v1/policies/\(version)/activate")
    }
}

struct PolicyRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Re-activate the version that was active before the current one (or --to).")
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "The version to return to.") var to: Int?

    struct Body: Encodable {
        var to: Int?
        var author: String?
    }

    func run() async throws {
        try await server.call("POST", "/v1/policies/rollback", body: Body(to: to, author: ProcessInfo.processInfo.environment["USER"]))
    }
}

struct PolicyDiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "The policies added, removed and changed between two versions.")
    @OptionGroup var server: ServerOptions
    @Argument(help: "From version.") var from: Int
    @Argument(help: "To version.") var to: Int

    func run() async throws {
        try await server.call("GET", "/v1/policies/diff?from=\(from)&to=\(to)")
    }
}

struct PolicyDryRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run",
        abstract: "Decide requests under the active version and a candidate; show which decisions would change.",
        discussion: """
            The requests file holds AuthZEN evaluation objects ({subject, action, resource, context}) as a
            JSON array or as JSON lines. Exits 0 when no decision changes, 3 when some do.
            """)
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "Candidate Cedar policy file.") var candidate: String?
    @Option(name: .long, help: "Candidate: a stored version.") var version: Int?
    @Option(name: .long, help: "The requests (JSON array or JSON lines).") var requests: String

    func validate() throws {
        guard (candidate == nil) != (version == nil) else { throw ValidationError("give exactly one of --candidate and --version") }
    }

    func run() async throws {
        let text = try PolicyInputs.text(requests)
        var list: [JSONValue] = []
        do {
            if text.drop(while: \.isWhitespace).first == "[" {
                guard case .array(let items) = try JSONValue.decode(text) else { throw ValidationError("not an array") }
                list = items
            } else {
                list = try text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
                    .map { try JSONValue.decode(String($0)) }
            }
        } catch let error as CedarError {
            throw ValidationError("\(requests): \(error.message)")
        }
        var body: [String: JSONValue] = ["requests": .array(list)]
        if let version { body["version"] = .integer(Int64(version)) }
        if let candidate { body["policies"] = .string(try PolicyInputs.text(candidate)) }
        let data = try await server.fetch("POST", "/v1/policies/dry-run", body: JSONValue.object(body))
        let answer = try JSONValue.decode(data)
        var changed = 0
        if case .array(let results)? = answer["results"] {
            for result in results {
                func outcome(_ key: String) -> String { result[key]?["outcome"]?.stringValue ?? "-" }
                let mark = result["changed"] == .bool(true) ? "CHANGED" : "same"
                if mark == "CHANGED" { changed += 1 }
                let index = result["index"].map { $0.encoded() } ?? "?"
                var line = "\(index)\t\(mark)\tactive: \(outcome("active"))\tcandidate: \(outcome("candidate"))"
                if let error = result["error"]?.stringValue { line += "\terror: \(error)" }
                print(line)
            }
        }
        print("\(changed) of \(list.count) decisions would change")
        if changed > 0 { throw ExitCode(3) }
    }
}

struct PolicySchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the agent-domain Cedar schema Custos ships (start your own from it).")

    func run() {
        print(AgentSchema.text, terminator: "")
    }
}

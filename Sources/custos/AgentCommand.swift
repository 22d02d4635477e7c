import ArgumentParser
import CustosCore
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Register and manage agents on a running control plane.",
        discussion: """
            The admin token is read from the CUSTOS_ADMIN_TOKEN environment variable or from
            --admin-token-file, never from the command line (where other users could see it).
            """,
        subcommands: [
            AgentRegister.self, AgentList.self, AgentShow.self, AgentUpdateCommand.self, AgentSuspend.self,
            AgentReactivate.self, AgentDelete.self, AgentJoinToken.self, AgentKeyCommand.self,
        ]
    )
}

struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Control plane URL.") var server: String = "http://127.0.0.1:8443"
    @Option(name: .customLong("admin-token-file"), help: "File holding the admin token.") var adminTokenFile: String?

    func token() throws -> String {
        if let adminTokenFile {
            return try PolicyInputs.text(adminTokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let token = ProcessInfo.processInfo.environment["CUSTOS_ADMIN_TOKEN"], !token.isEmpty else {
            throw ValidationError("set CUSTOS_ADMIN_TOKEN or pass --admin-token-file")
        }
        return token
    }

    /// Sends a request and prints the answer; a non-2xx answer is printed to stderr and exits 1.
    func call(_ method: String, _ path: String, body: (any Encodable)? = nil) async throws {
        try await call(method, path, json: try body.map { try JSONEncoder().encode($0) })
    }

    /// Sends a request and returns the body of a 2xx answer; any other answer is printed to stderr
    /// and exits 1.
    func fetch(_ method: String, _ path: String, body: (any Encodable)? = nil) async throws -> Data {
        try await send(method, path, body: try body.map { try JSONEncoder().encode($0) }).data
    }

    /// Sends a JSON document as it is and prints the answer.
    func call(_ method: String, _ path: String, json: Data?) async throws {
        let text = String(decoding: try await send(method, path, body: json).data, as: UTF8.self)
        if !text.isEmpty { print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
    }

    /// A GET whose answer may carry the `Custos-Next` paging header.
    func fetchWithNext(_ path: String) async throws -> (data: Data, next: String?) {
        let (data, response) = try await send("GET", path, body: nil as Data?)
        return (data, response.value(forHTTPHeaderField: "Custos-Next"))
    }

    private func send(_ method: String, _ path: String, body: Data?) async throws -> (data: Data, response: HTTPURLResponse) {
        guard let url = URL(string: server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw ValidationError("invalid --server URL")
        }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        request.setValue("Bearer \(try token())", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            FileHandle.standardError.write(Data("error: cannot reach the control plane at \(server) (\(error.localizedDescription))\n".utf8))
            throw ExitCode.failure
        }
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            FileHandle.standardError.write(Data("error: HTTP \(status): \(String(decoding: data, as: UTF8.self))\n".utf8))
            throw ExitCode.failure
        }
        return (data, http)
    }
}

struct AgentFields: ParsableArguments {
    @Option(name: .long, help: "Display name.") var name: String?
    @Option(name: .long, help: "The human accountable for the agent.") var sponsor: String?
    @Option(name: .long, help: "An owner (repeat for several).") var owner: [String] = []
    @Option(name: .long, help: "What the agent is for.") var purpose: String?
    @Option(name: .long, help: "Trust zone.") var zone: String?
    @Option(name: .long, help: "A group (repeat for several).") var group: [String] = []
    @Option(name: .long, help: "A scope the blueprint allows (repeat for several).") var scope: [String] = []
    @Option(name: .long, help: "A tool the blueprint allows (repeat for several).") var tool: [String] = []
    @Option(name: .customLong("blueprint-server"), help: "An upstream server (grant audience) the blueprint allows (repeat for several).")
    var blueprintServer: [String] = []
    @Option(name: .customLong("max-ttl"), help: "Longest credential lifetime, seconds.") var maxTTL: Int?
    @Option(
        name: .customLong("max-delegation-depth"),
        help: "Delegation hops allowed below the agent (handing a grant to another agent also needs --may-spawn).")
    var maxDelegationDepth: Int?
    @Flag(name: .customLong("may-spawn"), help: "The agent may spawn sub-agents: hand its grants to other agents.")
    var maySpawn = false

    /// A note for a blueprint that allows delegation hops but not handing grants to other agents.
    var delegationNote: String? {
        guard let maxDelegationDepth, maxDelegationDepth > 0, !maySpawn else { return nil }
        return "note: without --may-spawn the agent cannot hand its grants to other agents; "
            + "--max-delegation-depth then applies only to other instances of it\n"
    }

    var blueprint: Blueprint? {
        guard !scope.isEmpty || !tool.isEmpty || !blueprintServer.isEmpty || maxTTL != nil || maxDelegationDepth != nil
            || maySpawn
        else { return nil }
        return Blueprint(
            scopes: scope, tools: tool, servers: blueprintServer, maxCredentialTTLSeconds: maxTTL ?? Blueprint.defaultCredentialTTLSeconds,
            maxDelegationDepth: maxDelegationDepth ?? 0, maySpawn: maySpawn)
    }
}

struct AgentRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Register an agent.")
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "Agent id (generated when absent).") var id: String?
    @OptionGroup var fields: AgentFields

    func validate() throws {
        if fields.name == nil || fields.sponsor == nil { throw ValidationError("--name and --sponsor are required") }
    }

    func run() async throws {
        let registration = AgentRegistration(
            id: try id.map { try AgentID($0) }, name: fields.name!, sponsor: fields.sponsor!,
            owners: fields.owner, purpose: fields.purpose, zone: fields.zone, groups: fields.group,
            blueprint: fields.blueprint)
        if let note = fields.delegationNote { FileHandle.standardError.write(Data(note.utf8)) }
        try await server.call("POST", "/v1/agents", body: registration)
    }
}

struct AgentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List agents.")
    @OptionGroup var server: ServerOptions
    @Option(name: .long, help: "Page size (1-1000).") var limit: Int = 100
    @Option(name: .long, help: "Show agents after this id.") var after: String?

    func run() async throws {
        var path = "/v1/agents?limit=\(limit)"
        if let after { path += "&after=\(try AgentID(after).rawValue)" }
        try await server.call("GET", path)
    }
}

/// The agent commands that take just an id.
struct AgentIDArgument: ParsableArguments {
    @Argument(help: "Agent id.") var id: String

    func validate() throws {
        do {
            _ = try AgentID(id)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

struct AgentShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one agent.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("GET", "/v1/agents/\(agent.id)") }
}

struct AgentUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Change an agent's fields.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    @OptionGroup var fields: AgentFields

    func run() async throws {
        let update = AgentUpdate(
            name: fields.name, sponsor: fields.sponsor, owners: fields.owner.isEmpty ? nil : fields.owner,
            purpose: fields.purpose, zone: fields.zone, groups: fields.group.isEmpty ? nil : fields.group,
            blueprint: fields.blueprint)
        if let note = fields.delegationNote { FileHandle.standardError.write(Data(note.utf8)) }
        try await server.call("PATCH", "/v1/agents/\(agent.id)", body: update)
    }
}

struct AgentSuspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend", abstract: "Suspend an agent; its credentials stop verifying.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("POST", "/v1/agents/\(agent.id)/suspend") }
}

struct AgentReactivate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reactivate", abstract: "Reactivate a suspended agent.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("POST", "/v1/agents/\(agent.id)/reactivate") }
}

struct AgentDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an agent.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("DELETE", "/v1/agents/\(agent.id)") }
}

struct AgentJoinToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join-token", abstract: "Create a one-time join token (10 minutes) for an active agent.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("POST", "/v1/agents/\(agent.id)/join-tokens") }
}

struct AgentKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Public keys an agent bootstraps with (private_key_jwt) instead of join tokens.",
        subcommands: [AgentKeyAdd.self, AgentKeyList.self, AgentKeyRemove.self]
    )
}

struct AgentKeyAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a public JWK (EC P-256, or RSA of 2048 bits or more) for an agent.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    @Option(name: .long, help: "File holding the public JWK (a JSON object).") var jwk: String

    func run() async throws {
        try await server.call("POST", "/v1/agents/\(agent.id)/keys", json: Data(try PolicyInputs.text(jwk).utf8))
    }
}

struct AgentKeyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "An agent's registered keys.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    func run() async throws { try await server.call("GET", "/v1/agents/\(agent.id)/keys") }
}

struct AgentKeyRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a key by its thumbprint.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var agent: AgentIDArgument
    @Argument(help: "The key's RFC 7638 thumbprint (from `custos agent key list`).") var thumbprint: String
    func run() async throws { try await server.call("DELETE", "/v1/agents/\(agent.id)/keys/\(thumbprint)") }
}

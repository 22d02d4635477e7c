import ArgumentParser
import Foundation

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "MCP tool pinning on a running server: observe a tools/list, list pins, diff and approve changes.",
        subcommands: [ToolsObserve.self, ToolsList.self, ToolsDiff.self, ToolsApprove.self]
    )
}

struct ToolsObserve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "Send a server's tools/list result: new tools are pinned, changed ones blocked, poisoning reported.")
    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("mcp-server"), help: "The MCP server's name.") var mcpServer: String
    @Option(name: .long, help: "File holding the tools/list result (or the whole JSON-RPC response).") var input: String

    func run() async throws {
        let text = try PolicyInputs.text(input)
        guard var object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ValidationError("\(input) is not a JSON object")
        }
        if object["tools"] == nil, let result = object["result"] as? [String: Any] { object = result }
        object["server"] = mcpServer
        try await server.call("POST", "/v1/tools/observe", json: try JSONSerialization.data(withJSONObject: object))
    }
}

struct ToolsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Pinned tools and their status.")
    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("mcp-server"), help: "Only this MCP server's tools.") var mcpServer: String?

    func run() async throws {
        let query = mcpServer.map { "?server=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""
        try await server.call("GET", "/v1/tools" + query)
    }
}

struct ToolNames: ParsableArguments {
    @Argument(help: "The MCP server's name.") var mcpServer: String
    @Argument(help: "The tool's name.") var tool: String

    var path: String {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        return "/v1/tools/\(encode(mcpServer))/\(encode(tool))"
    }
}

struct ToolsDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "What changed between a tool's approved and pending definitions.")
    @OptionGroup var server: ServerOptions
    @OptionGroup var names: ToolNames
    func run() async throws { try await server.call("GET", names.path + "/diff") }
}

struct ToolsApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a tool's pending definition, named by its digest (from diff or list).")
    @OptionGroup var server: ServerOptions
    @OptionGroup var names: ToolNames
    @Option(name: .long, help: "The pending digest being approved.") var digest: String

    func run() async throws {
        try await server.call("POST", names.path + "/approve", json: try JSONSerialization.data(withJSONObject: ["digest": digest]))
    }
}

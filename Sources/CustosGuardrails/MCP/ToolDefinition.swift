public import Cedar
import Crypto
public import Foundation

/// One tool an MCP server offers, as its `tools/list` describes it, with the digest that pins it.
public struct ToolDefinition: Hashable, Sendable {
    public let server: String
    public let name: String
    public let description: String
    public let inputSchema: JSONValue

    /// Lower-case hex SHA-256 of the canonical JSON `{"description", "inputSchema", "name"}`: keys
    /// sorted, no whitespace, as `JSONValue.encoded()` writes it. Any change to the name, the
    /// description or the schema changes it.
    public var digest: String {
        Hex.encode(SHA256.hash(data: Data(canonical.utf8)))
    }

    /// The canonical JSON the digest is taken over.
    public var canonical: String {
        JSONValue.object(["name": .string(name), "description": .string(description), "inputSchema": inputSchema]).encoded()
    }

    public init(server: String, name: String, description: String, inputSchema: JSONValue) {
        self.server = server
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }

    public static let maximumTools = 1000
    public static let maximumBytes = 4 * 1024 * 1024

    /// The tools of a `tools/list` result: `{"tools": […]}`, or the whole JSON-RPC response
    /// `{"result": {"tools": […]}}`. Each tool needs a non-empty `name`; `description` defaults to "" and
    /// `inputSchema` to `{}`.
    public static func parse(toolsList data: Data, server: String) throws(GuardrailError) -> [ToolDefinition] {
        guard data.count <= maximumBytes else { throw GuardrailError("the tool list is larger than 4 MiB") }
        guard !server.isEmpty, server.utf8.count <= 256 else { throw GuardrailError("a server name is 1-256 bytes") }
        let document: JSONValue
        do {
            document = try JSONValue.decode(data)
        } catch {
            throw GuardrailError("the tool list is not JSON: \(error)")
        }
        let list = document["tools"] ?? document["result"]?["tools"]
        guard case .array(let items)? = list else { throw GuardrailError("the tool list has no `tools` array") }
        guard items.count <= maximumTools else { throw GuardrailError("the tool list has more than \(maximumTools) tools") }
        var tools: [ToolDefinition] = []
        var names = Set<String>()
        for (index, item) in items.enumerated() {
            guard case .string(let name)? = item["name"], !name.isEmpty, name.utf8.count <= 256 else {
                throw GuardrailError("tool \(index) has no name of 1-256 bytes")
            }
            guard names.insert(name).inserted else { throw GuardrailError("the server lists the tool \(name) twice") }
            let description: String
            switch item["description"] {
            case nil: description = ""
            case .string(let text)?: description = text
            default: throw GuardrailError("tool \(name): the description is not a string")
            }
            let schema = item["inputSchema"] ?? .object([:])
            guard case .object = schema else { throw GuardrailError("tool \(name): inputSchema is not an object") }
            tools.append(ToolDefinition(server: server, name: name, description: description, inputSchema: schema))
        }
        return tools
    }
}

/// A guardrail operation that failed: what kind of failure, and a message safe to show.
public struct GuardrailError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case invalid, notFound, conflict, unavailable }
    public let kind: Kind
    public let message: String
    public init(_ message: String, kind: Kind = .invalid) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

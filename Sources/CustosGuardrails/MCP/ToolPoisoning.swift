public import Cedar
import Foundation

/// Something in a tool definition that a poisoned tool would contain.
public struct ToolFinding: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `<IMPORTANT>`, `<system>`, `<instructions>` … blocks that address the model, not the user.
        case hiddenInstructions = "hidden_instructions"
        /// Text the injection detector flags.
        case injection
        /// Zero-width, bidirectional or tag characters.
        case invisibleUnicode = "invisible_unicode"
        /// Files an agent should never read for a tool: SSH keys, `.env`, cloud credentials, MCP configs.
        case sensitiveFile = "sensitive_file"
        /// A URL to a bare IP address, over plain http, or to a paste or webhook service.
        case suspiciousURL = "suspicious_url"
        /// The description names a tool of another server (to change how that one is used).
        case shadowing
        /// The same tool name on two servers.
        case nameCollision = "name_collision"
    }

    public let server: String
    public let tool: String
    public let kind: Kind
    public let detail: String
}

/// Poisoning checks over tool definitions: their descriptions and every string in their input schemas
/// (parameter descriptions are where hidden instructions like to live).
public struct ToolPoisoningCheck: Sendable {
    public let detector: InjectionDetector

    public init(detector: InjectionDetector = InjectionDetector()) {
        self.detector = detector
    }

    static let instructionTags = [
        "<important>", "<system>", "<instructions>", "<instruction>", "<secret>", "<hidden>", "<admin>", "<note to ai>",
        "<!--", "[system]", "<|im_start|>",
    ]
    static let sensitiveFiles = [
        "~/.ssh", ".ssh/", "id_rsa", "id_ed25519", "/etc/passwd", "/etc/shadow", ".env", ".aws/credentials", ".aws/config",
        "mcp.json", "claude_desktop_config", ".npmrc", ".pypirc", ".netrc", ".git-credentials", ".kube/config", ".docker/config",
        "credentials.json", "private key", "wallet.dat",
    ]
    static let suspiciousHosts = ["pastebin.", "webhook.site", "requestbin", "ngrok", "hookbin", "pipedream", "transfer.sh", "burpcollaborator"]

    /// Findings for `tools` (all the servers' tools the caller knows, so that shadowing and name
    /// collisions across servers are seen).
    public func check(_ tools: [ToolDefinition]) -> [ToolFinding] {
        var findings: [ToolFinding] = []
        var servers: [String: Set<String>] = [:]
        for tool in tools { servers[tool.name, default: []].insert(tool.server) }
        let toolNames = Set(tools.map(\.name)).filter { $0.utf8.count >= 4 }
        for tool in tools {
            let texts = [tool.description] + Self.strings(in: tool.inputSchema)
            let text = texts.joined(separator: "\n")
            let lower = text.lowercased()
            func add(_ kind: ToolFinding.Kind, _ detail: String) {
                findings.append(ToolFinding(server: tool.server, tool: tool.name, kind: kind, detail: detail))
            }
            if let tag = Self.instructionTags.first(where: lower.contains) { add(.hiddenInstructions, "contains \(tag)") }
            let injection = detector.score(text)
            if injection.flagged {
                add(.injection, "score \((injection.score * 100).rounded() / 100): \(injection.signals.joined(separator: ", "))")
            }
            if text.unicodeScalars.contains(where: { InjectionText.isInvisible($0.value) }) {
                add(.invisibleUnicode, "contains invisible characters")
            }
            if let file = Self.sensitiveFiles.first(where: lower.contains) { add(.sensitiveFile, "mentions \(file)") }
            for url in Self.urls(in: lower) where Self.isSuspicious(url) { add(.suspiciousURL, url) }
            let words = Set(lower.split { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }.map(String.init))
            for other in toolNames where other != tool.name && words.contains(other.lowercased()) {
                let elsewhere = (servers[other] ?? []).subtracting([tool.server])
                if !elsewhere.isEmpty { add(.shadowing, "names \(other) of \(elsewhere.sorted().joined(separator: ", "))") }
            }
            let sharing = (servers[tool.name] ?? []).subtracting([tool.server])
            if !sharing.isEmpty { add(.nameCollision, "also offered by \(sharing.sorted().joined(separator: ", "))") }
        }
        return findings
    }

    /// Every string in a JSON value (descriptions, titles, enum values, defaults…), bounded.
    static func strings(in value: JSONValue) -> [String] {
        var found: [String] = []
        var stack = [value]
        while let next = stack.popLast(), found.count < 10_000 {
            switch next {
            case .string(let text): found.append(text)
            case .array(let items): stack += items
            case .object(let fields):
                for (key, field) in fields {
                    found.append(key)
                    stack.append(field)
                }
            default: break
            }
        }
        return found
    }

    static func urls(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let range = rest.range(of: "http") {
            let candidate = rest[range.lowerBound...].prefix { !$0.isWhitespace && $0 != "\"" && $0 != ")" && $0 != ">" }
            if candidate.hasPrefix("http://") || candidate.hasPrefix("https://") { found.append(String(candidate)) }
            rest = rest[range.upperBound...]
            if found.count >= 100 { break }
        }
        return found
    }

    static func isSuspicious(_ url: String) -> Bool {
        let host = url.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" && $0 != ":" && $0 != "?" }
        let isIP = !host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." }
        return url.hasPrefix("http://") || isIP || suspiciousHosts.contains(where: host.contains)
    }
}

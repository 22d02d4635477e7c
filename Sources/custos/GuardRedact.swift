import ArgumentParser
import Cedar
import CustosGuardrails
import Foundation
import Yams

struct GuardRedact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Redact personal data and secrets in JSON lines {\"id\", \"text\"}, or in a raw stream (--stream).",
        discussion: """
            JSON lines: writes {"id", "text", "blocked", "replaced"} per line. Modes: allow, mask, hash (keyed:
            --key-file, at least 32 bytes), placeholder (<TYPE_n>, the same value keeps its placeholder for the
            whole run) and block (the text is refused: "blocked": true and no "text").

            Modes come from --pii, --secrets and --type TYPE=MODE, or from a rules file (--rules, YAML or JSON:
            classification, default, labels, types, destinations; see docs/GUARDRAILS.md) with the destination
            the text goes to (--zone, --vendor).

            --stream redacts standard input (or --input) as it arrives and writes it out as soon as it is safe:
            the last --look-behind characters are held back so that a finding split between reads is seen
            whole. A blocked stream stops: the rest is not written, the reason goes to standard error and the
            command exits 3. A finding still unfinished, or a run without spaces, longer than --max-held
            characters also blocks it (fail closed).
            """)

    @Option(name: .long, help: "Input file (default: standard input).") var input: String?
    @Option(name: .long, help: "Mode for personal data (default: placeholder).") var pii: String?
    @Option(name: .long, help: "Mode for secrets (default: mask).") var secrets: String?
    @Option(name: .long, help: "TYPE=MODE for one finding type (repeatable).") var type: [String] = []
    @Option(name: .long, help: "Redaction rules file (YAML or JSON), instead of --pii, --secrets and --type.")
    var rules: String?
    @Option(name: .long, help: "The trust zone the text goes to (matched against the rules' destinations).") var zone: String?
    @Option(name: .long, help: "The vendor the text goes to (matched against the rules' destinations).") var vendor: String?
    @Option(name: .customLong("key-file"), help: "Key for hash mode (32 bytes or more).") var keyFile: String?
    @Flag(name: .long, help: "Redact a raw stream instead of JSON lines.") var stream = false
    @Option(name: .customLong("look-behind"), help: "With --stream: characters held back (16-1048576).")
    var lookBehind = 256
    @Option(name: .customLong("max-held"), help: "With --stream: most characters held for an unfinished finding or a run without spaces before the stream is blocked (at least --look-behind, at most 2097152).")
    var maximumHeld = 256 * 1024

    func validate() throws {
        if rules != nil, pii != nil || secrets != nil || !type.isEmpty {
            throw ValidationError("--rules replaces --pii, --secrets and --type; give one or the other")
        }
        guard (16...1 << 20).contains(lookBehind) else { throw ValidationError("--look-behind must be 16-1048576") }
        guard (lookBehind...ScalarText.maximumScalars / 2).contains(maximumHeld) else {
            throw ValidationError("--max-held must be at least --look-behind and at most \(ScalarText.maximumScalars / 2)")
        }
    }

    func run() throws {
        let rules = try self.rules.map(RedactionRulesFile.load) ?? flagRules()
        let key = try hashKey(needed: rules.usesHash)
        let policy = rules.policy(for: RedactionDestination(zone: zone, vendor: vendor))
        let redactor = Redactor(policy: policy, hashKey: key)
        let scanner = GuardrailScanner(classification: rules.classification)
        let vault = PlaceholderVault()
        if stream {
            try redactStream(
                RedactionStream(redactor: redactor, scanner: scanner, vault: vault, lookBehind: lookBehind, maximumHeld: maximumHeld))
            return
        }
        try TextLines.answer(input: input) { id, text in
            let result = redactor.redact(text, scanner.scan(text), vault: vault)
            // A blocked text is not echoed: it holds what the policy refused to pass on.
            var answer: [String: JSONValue] = [
                "id": id, "blocked": .bool(result.blocked), "replaced": .integer(Int64(result.replaced.count)),
            ]
            if !result.blocked { answer["text"] = .string(result.text) }
            return .object(answer)
        }
    }

    private func redactStream(_ initial: RedactionStream) throws {
        var redaction = initial
        let handle = try input.map { path in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
            return handle
        } ?? .standardInput
        let output = FileHandle.standardOutput
        while true {
            // availableData returns what has arrived (at least one byte) or nothing at the end.
            let chunk = handle.availableData
            let released = chunk.isEmpty ? redaction.finish() : redaction.write(utf8: chunk)
            if !released.isEmpty { output.write(Data(released.utf8)) }
            if let reason = redaction.blockedReason {
                FileHandle.standardError.write(Data("custos: the stream was blocked: \(reason)\n".utf8))
                throw ExitCode(3)
            }
            if chunk.isEmpty { return }
        }
    }

    /// The rules --pii, --secrets and --type give, read and checked as a rules file is.
    private func flagRules() throws -> RedactionRules {
        var types: [String: Any] = [:]
        for entry in type {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--type takes TYPE=MODE, not `\(entry)`") }
            types[parts[0]] = parts[1]
        }
        let document: [String: Any] = ["labels": ["pii": pii ?? "placeholder", "secret": secrets ?? "mask"], "types": types]
        do throws(RedactionRulesError) {
            return try RedactionRules(document: document)
        } catch {
            let flag = error.path.hasPrefix("types") ? "--type" : error.path == "labels.pii" ? "--pii" : "--secrets"
            throw ValidationError("\(flag): \(error.message)")
        }
    }

    private func hashKey(needed: Bool) throws -> [UInt8] {
        guard let keyFile else {
            if needed { throw ValidationError("hash mode needs --key-file (a secret of at least 32 bytes)") }
            return [UInt8](repeating: 0, count: 32)
        }
        guard let data = FileManager.default.contents(atPath: keyFile), data.count >= 32 else {
            throw ValidationError("--key-file must name a file of at least 32 bytes")
        }
        return Array(data)
    }
}

/// A redaction rules file, YAML or JSON (JSON is YAML).
enum RedactionRulesFile {
    static func load(_ path: String) throws -> RedactionRules {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("cannot read the rules file \(path)")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ValidationError("\(path) is not valid YAML or JSON: \(error)")
        }
        do {
            return try RedactionRules(document: document)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}

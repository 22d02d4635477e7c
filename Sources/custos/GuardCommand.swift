import ArgumentParser
import Cedar
import CustosGuardrails
import Foundation

struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard", abstract: "Content guardrails: personal data and secrets.",
        subcommands: [GuardScan.self, GuardBench.self])
}

struct GuardScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan JSON lines {\"id\", \"text\"} for personal data and secrets; one JSON line out per line in.",
        discussion: """
            Writes {"id", "pii": [{"type", "start", "end", "score"}], "secrets": [{"type", "start", "end"}],
            "labels": [...]} with offsets in Unicode scalars, end exclusive (and "truncated": true when a text
            was longer than 4 Mi scalars and only its start was scanned). A line that is not such an object
            gets {"line": N, "error": "..."} and the command exits 1 at the end. Prompt-injection scoring is
            not built yet, so there is no "injection" member.
            """)

    @Option(name: .long, help: "Input file (default: standard input).") var input: String?
    @Option(name: .customLong("min-score"), help: "Drop personal-data findings scoring below this (0-1).")
    var minimumScore: Double = 0.5

    func validate() throws {
        guard (0...1).contains(minimumScore) else { throw ValidationError("--min-score must be 0-1") }
    }

    func run() throws {
        let scanner = GuardrailScanner(minimumScore: minimumScore)
        let handle: FileHandle
        if let input {
            guard let opened = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot read \(input)") }
            handle = opened
        } else {
            handle = .standardInput
        }
        var failed = false
        var number = 0
        for line in LineReader(handle: handle) {
            number += 1
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let answer: JSONValue
            do {
                guard case .object(let object) = try JSONValue.decode(line), case .string(let text)? = object["text"] else {
                    throw CommandFailure("expected an object with a string `text`")
                }
                answer = Self.json(scanner.scan(text), id: object["id"] ?? .null)
            } catch {
                failed = true
                let message = (error as? CedarError)?.message ?? "\(error)"
                answer = .object(["line": .integer(Int64(number)), "error": .string(message)])
            }
            print(answer.encoded())
        }
        if failed { throw ExitCode.failure }
    }

    static func json(_ result: ScanResult, id: JSONValue) -> JSONValue {
        func finding(_ f: Finding, score: Bool) -> JSONValue {
            var fields: [String: JSONValue] = [
                "type": .string(f.type), "start": .integer(Int64(f.start)), "end": .integer(Int64(f.end)),
            ]
            if score { fields["score"] = .double((f.score * 100).rounded() / 100) }
            return .object(fields)
        }
        var object: [String: JSONValue] = [
            "id": id, "pii": .array(result.pii.map { finding($0, score: true) }),
            "secrets": .array(result.secrets.map { finding($0, score: false) }),
            "labels": .array(result.labels.sorted().map { .string($0.rawValue) }),
        ]
        if result.truncated { object["truncated"] = .bool(true) }
        return .object(object)
    }
}

struct GuardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure personal-data and secret scanning throughput on one core; prints one JSON object.",
        discussion: "Scans the texts of --input (JSON lines {\"text\"}) round-robin for --seconds and reports MB/s of UTF-8 scanned.")

    @Option(name: .long, help: "JSON lines with a `text` member.") var input: String
    @Option(name: .long, help: "How long to measure, in seconds.") var seconds: Double = 3

    func run() throws {
        guard let handle = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot read \(input)") }
        let texts = LineReader(handle: handle).compactMap { line -> String? in
            guard case .object(let object)? = try? JSONValue.decode(line), case .string(let text)? = object["text"] else {
                return nil
            }
            return text
        }
        guard !texts.isEmpty else { throw ValidationError("\(input) holds no texts") }
        let scanner = GuardrailScanner()
        let clock = ContinuousClock()
        let start = clock.now
        var bytes = 0
        var findings = 0
        var index = 0
        while start.duration(to: clock.now) < .milliseconds(Int64(seconds * 1000)) {
            let text = texts[index % texts.count]
            let result = scanner.scan(text)
            findings += result.pii.count + result.secrets.count
            bytes += text.utf8.count
            index += 1
        }
        let elapsed = start.duration(to: clock.now)
        let duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report: JSONValue = .object([
            "texts": .integer(Int64(texts.count)), "scanned": .integer(Int64(index)), "findings": .integer(Int64(findings)),
            "mb_per_second": .double((Double(bytes) / duration / 1e6 * 100).rounded() / 100),
            "microseconds_per_kb": .double((duration * 1e6 / (Double(bytes) / 1000) * 100).rounded() / 100),
        ])
        print(report.encoded())
    }
}

/// Lines of a file handle, read in chunks; invalid UTF-8 is replaced (U+FFFD), never fatal.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var done = false

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if done {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            let chunk = handle.readData(ofLength: 1 << 16)
            if chunk.isEmpty { done = true } else { buffer += chunk }
        }
    }
}

import ArgumentParser
import Cedar
import CustosGuardrails
import Foundation

struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard", abstract: "Content guardrails: prompt injection, personal data and secrets.",
        subcommands: [GuardScan.self, GuardRedact.self, GuardBench.self, GuardFeatures.self])
}

struct GuardScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan JSON lines {\"id\", \"text\"} for prompt injection, personal data and secrets; one JSON line out per line in.",
        discussion: """
            Writes {"id", "injection": {"score", "flagged", "signals"}, "pii": [{"type", "start", "end", "score"}],
            "secrets": [{"type", "start", "end"}], "labels": [...]} with offsets in Unicode scalars, end
            exclusive (and "markings": [{"type", "start", "end"}] when the text carries classification markings
            such as CONFIDENTIAL, "truncated": true when a text was longer than 4 Mi scalars and only its start was
            scanned). A line that is not such an object gets {"line": N, "error": "..."} and the command exits
            1 at the end.
            """)

    @Option(name: .long, help: "Input file (default: standard input).") var input: String?
    @Option(name: .customLong("min-score"), help: "Drop personal-data findings scoring below this (0-1).")
    var minimumScore: Double = 0.5
    @Option(name: .customLong("injection-threshold"), help: "Flag injection scores at or above this (0-1; default: the model's).")
    var injectionThreshold: Double?
    @Option(name: .customLong("external-url"), help: "Also ask this model server: POST {\"text\"}, answered {\"score\"}.")
    var externalURL: String?
    @Option(name: .customLong("external-timeout-ms"), help: "How long to wait for the model server.") var externalTimeout = 500
    @Flag(name: .customLong("external-fail-closed"), help: "Flag the text when the model server does not answer (default: keep the built-in score).")
    var externalFailClosed = false
    @Option(name: .long, help: "Redaction rules (YAML or JSON) whose `classification` adds labels per finding type.")
    var rules: String?

    func validate() throws {
        guard (0...1).contains(minimumScore) else { throw ValidationError("--min-score must be 0-1") }
        if let injectionThreshold, !(0...1).contains(injectionThreshold) {
            throw ValidationError("--injection-threshold must be 0-1")
        }
        if let externalURL, URL(string: externalURL)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--external-url must be an http(s) URL")
        }
        guard (1...60_000).contains(externalTimeout) else { throw ValidationError("--external-timeout-ms must be 1-60000") }
    }

    func run() throws {
        let classification = try rules.map { try RedactionRulesFile.load($0).classification } ?? .builtIn
        let scanner = GuardrailScanner(minimumScore: minimumScore, classification: classification)
        let detector = InjectionDetector(threshold: injectionThreshold)
        let external = externalURL.flatMap(URL.init(string:)).map {
            ExternalInjectionDetector(url: $0, timeout: Double(externalTimeout) / 1000, failClosed: externalFailClosed, local: detector)
        }
        try TextLines.answer(input: input) { id, text in
            let injection = external.map { Self.wait(for: $0, text) } ?? detector.score(text)
            return Self.json(scanner.scan(text), injection: injection, id: id)
        }
    }

    /// The external score, waited for on this (non-cooperative) thread: the command reads line by line.
    static func wait(for detector: ExternalInjectionDetector, _ text: String) -> InjectionResult {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Task {
            box.value = await detector.score(text)
            done.signal()
        }
        done.wait()
        return box.value!
    }

    final class ResultBox: @unchecked Sendable {
        var value: InjectionResult?
    }

    static func json(_ result: ScanResult, injection: InjectionResult, id: JSONValue) -> JSONValue {
        func finding(_ f: Finding, score: Bool) -> JSONValue {
            var fields: [String: JSONValue] = [
                "type": .string(f.type), "start": .integer(Int64(f.start)), "end": .integer(Int64(f.end)),
            ]
            if score { fields["score"] = .double((f.score * 100).rounded() / 100) }
            return .object(fields)
        }
        var object: [String: JSONValue] = [
            "id": id,
            "injection": .object([
                "score": .double((injection.score * 1000).rounded() / 1000), "flagged": .bool(injection.flagged),
                "signals": .array(injection.signals.map(JSONValue.string)),
            ]),
            "pii": .array(result.pii.map { finding($0, score: true) }),
            "secrets": .array(result.secrets.map { finding($0, score: false) }),
            "labels": .array(result.labels.sorted().map { .string($0.rawValue) }),
        ]
        if !result.markings.isEmpty { object["markings"] = .array(result.markings.map { finding($0, score: false) }) }
        if result.truncated { object["truncated"] = .bool(true) }
        return .object(object)
    }
}

struct GuardFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Write the injection model's features of JSON lines {\"id\", \"text\", …}, for training.",
        discussion: """
            Writes {"id", "x": [[index, value], …]} per line (indices below 32 are the named features, the rest
            hashed word unigrams and bigrams). Scripts/train_injection.py reads it.
            """)

    @Option(name: .long, help: "Input file (default: standard input).") var input: String?

    func run() throws {
        try TextLines.answer(input: input) { id, text in
            let features = InjectionFeatures(text).indices.sorted()
            return .object(["id": id, "x": .array(features.map { .array([.integer(Int64($0)), .double(1)]) })])
        }
    }
}

extension GuardBench {
    /// Runs `body` over `texts` round-robin for ``seconds`` (or ``passes`` times over them all): how
    /// many, how many bytes, how long.
    func measure(_ texts: [String], _ body: (String) -> Void) -> (count: Int, bytes: Int, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        var (count, bytes) = (0, 0)
        func more() -> Bool {
            if let passes { return count < passes * texts.count }
            return start.duration(to: clock.now) < .milliseconds(Int64(seconds * 1000))
        }
        while more() {
            let text = texts[count % texts.count]
            body(text)
            bytes += text.utf8.count
            count += 1
        }
        return (count, bytes, AuditBench.microseconds(start.duration(to: clock.now)) / 1e6)
    }
}

/// JSON lines `{"id", "text"}` in, one JSON line out for each: a line that is not such an object is
/// answered `{"line": N, "error": …}`, the rest are still processed, and the run then fails.
enum TextLines {
    static func answer(input: String?, _ body: (_ id: JSONValue, _ text: String) -> JSONValue) throws {
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
            do {
                guard case .object(let object) = try JSONValue.decode(line), case .string(let text)? = object["text"] else {
                    throw CommandFailure("expected an object with a string `text`")
                }
                print(body(object["id"] ?? .null, text).encoded())
            } catch {
                failed = true
                let message = (error as? CedarError)?.message ?? "\(error)"
                print(JSONValue.object(["line": .integer(Int64(number)), "error": .string(message)]).encoded())
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct GuardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure scanning throughput on one core; prints one JSON object.",
        discussion: """
            Scans the texts of --input (JSON lines {"text"}) round-robin for --seconds each: personal data and
            secrets (MB/s of UTF-8); the reading of the text alone that every scan begins with (MB/s); the
            same redacted as streams of 64-byte chunks (MB/s); then the injection score (microseconds per
            KB, and per text).
            """)

    @Option(name: .long, help: "JSON lines with a `text` member.") var input: String
    @Option(name: .long, help: "How long to measure, in seconds.") var seconds: Double = 3
    @Option(
        name: .long,
        help: "Instead of --seconds, go this many times over the texts: a fixed amount of work, for counting instructions.")
    var passes: Int?
    @Option(name: .long, help: "Measure only this phase (scan, read, stream or injection), for profiling one of them.")
    var phase: Phase?

    /// `read` is the first step of every scan alone: the text read into scalars, kinds, anchors, words
    /// and census.
    enum Phase: String, ExpressibleByArgument, CaseIterable { case scan, read, stream, injection }

    func validate() throws {
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        if let passes, passes < 1 { throw ValidationError("--passes must be at least 1") }
    }

    func run() throws {
        guard let handle = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot read \(input)") }
        let texts = LineReader(handle: handle).compactMap { line -> String? in
            guard case .object(let object)? = try? JSONValue.decode(line), case .string(let text)? = object["text"] else {
                return nil
            }
            return text
        }
        guard !texts.isEmpty else { throw ValidationError("\(input) holds no texts") }
        let phases = phase.map { [$0] } ?? Phase.allCases
        func rounded(_ value: Double) -> JSONValue { .double((value * 100).rounded() / 100) }
        var report: [String: JSONValue] = ["texts": .integer(Int64(texts.count))]
        let scanner = GuardrailScanner()
        if phases.contains(.scan) {
            var findings = 0
            let scan = measure(texts) { text in
                let result = scanner.scan(text)
                findings += result.pii.count + result.secrets.count
            }
            report["scanned"] = .integer(Int64(scan.count))
            report["findings"] = .integer(Int64(findings))
            report["mb_per_second"] = rounded(Double(scan.bytes) / scan.seconds / 1e6)
            report["microseconds_per_kb"] = rounded(scan.seconds * 1e6 / (Double(scan.bytes) / 1000))
        }
        if phases.contains(.read) {
            var scalars = 0
            let read = measure(texts) { scalars += ScalarText($0).count }
            report["read_mb_per_second"] = rounded(Double(read.bytes) / read.seconds / 1e6)
            report["read_scalars"] = .integer(Int64(scalars))
        }
        if phases.contains(.stream) {
            // The same texts redacted as a stream of 64-byte chunks (a streamed answer), masked.
            let redactor = Redactor(policy: RedactionPolicy(defaultMode: .mask), hashKey: [UInt8](repeating: 0, count: 32))
            var released = 0
            let streamed = measure(texts) { text in
                var stream = RedactionStream(redactor: redactor, scanner: scanner)
                let bytes = Array(text.utf8)
                for start in stride(from: 0, to: bytes.count, by: 64) {
                    released += stream.write(utf8: bytes[start..<min(bytes.count, start + 64)]).utf8.count
                }
                released += stream.finish().utf8.count
            }
            report["stream_redaction_mb_per_second"] = rounded(Double(streamed.bytes) / streamed.seconds / 1e6)
            report["stream_released_bytes"] = .integer(Int64(released))
        }
        if phases.contains(.injection) {
            let detector = InjectionDetector()
            var flagged = 0
            let injection = measure(texts) { if detector.score($0).flagged { flagged += 1 } }
            report["injection_microseconds_per_kb"] = rounded(injection.seconds * 1e6 / (Double(injection.bytes) / 1000))
            report["injection_microseconds_per_text"] = rounded(injection.seconds * 1e6 / Double(injection.count))
            report["injection_flagged"] = .integer(Int64(flagged))
        }
        print(JSONValue.object(report).encoded())
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

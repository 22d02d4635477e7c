public import Foundation

/// One test file in Cedar's integration-test format: a policy file, an entities file, a schema,
/// whether the policies should validate, and requests with the expected decision, reason and errors.
public struct IntegrationTest: Sendable {
    public struct ExpectedRequest: Sendable {
        public var description: String
        public var request: JSONValue
        public var decision: Decision
        public var reason: Set<String>
        public var errors: Set<String>
    }

    public var file: String
    public var policies: String
    public var entities: String
    public var schema: String?
    public var shouldValidate: Bool?
    public var requests: [ExpectedRequest]

    /// Reads a test file; paths inside it are kept as written.
    public init(contentsOf url: URL) throws(CedarError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .json("cannot read \(url.path): \(error.localizedDescription)")
        }
        let json = try JSONValue.decode(data)
        guard let policies = json["policies"]?.stringValue, let entities = json["entities"]?.stringValue else {
            throw .json("\(url.path): a test needs `policies` and `entities` paths")
        }
        file = url.path
        self.policies = policies
        self.entities = entities
        schema = json["schema"]?.stringValue
        if case .bool(let b)? = json["shouldValidate"] { shouldValidate = b }
        guard case .array(let items)? = json["requests"] else { throw .json("\(url.path): `requests` must be an array") }
        var requests: [ExpectedRequest] = []
        for (index, item) in items.enumerated() {
            guard let decisionText = item["decision"]?.stringValue, let decision = Decision(rawValue: decisionText)
            else { throw .json("\(url.path): request \(index) needs a `decision` of allow or deny") }
            func ids(_ key: String) -> Set<String> {
                guard case .array(let values)? = item[key] else { return [] }
                return Set(values.compactMap { $0.stringValue ?? $0["policyId"]?.stringValue })
            }
            requests.append(
                ExpectedRequest(
                    description: item["description"]?.stringValue ?? "request \(index)", request: item,
                    decision: decision, reason: ids("reason"), errors: ids("errors")))
        }
        self.requests = requests
    }
}

/// Runs integration tests and reports every mismatch.
public struct IntegrationTestRunner: Sendable {
    /// A request (or a whole test, for load and validation problems) that did not behave as expected.
    public struct Failure: Sendable, CustomStringConvertible {
        public var file: String
        /// The request's description from the test file, or what part of the test failed.
        public var what: String
        public var message: String

        public var description: String { "\(file): \(what): \(message)" }
    }

    public struct Outcome: Sendable {
        public var passed = 0
        public var failed = 0
        public var failures: [Failure] = []
    }

    /// Folder that relative paths inside the tests resolve against.
    public var root: URL

    public init(root: URL) { self.root = root }

    /// The test files at `path`: the file itself, or the `*.json` files (other than `*.entities.json`)
    /// anywhere below a folder, in name order.
    public static func testFiles(at path: URL) throws(CedarError) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
            throw .json("no such file or folder: \(path.path)")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(at: path, includingPropertiesForKeys: nil) else {
            throw .json("cannot list \(path.path)")
        }
        var files: [URL] = []
        for case let url as URL in enumerator
        where url.pathExtension == "json" && !url.lastPathComponent.hasSuffix(".entities.json") {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    private func read(_ relative: String) throws(CedarError) -> String {
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .json("cannot read \(url.path)")
        }
    }

    /// Loads the schema named by a test: Cedar schema syntax unless the file name ends in `.json`.
    public func loadSchema(_ relative: String) throws(CedarError) -> Schema {
        let text = try read(relative)
        if relative.hasSuffix(".json") { return try Schema(json: try JSONValue.decode(text)) }
        return try Schema(cedarSchema: text)
    }

    public func run(_ test: IntegrationTest, into outcome: inout Outcome) {
        func failAll(_ message: String) {
            outcome.failed += test.requests.count
            outcome.failures.append(Failure(file: test.file, what: "(whole test)", message: message))
        }
        let policies: PolicySet
        let schema: Schema?
        let entities: Entities
        do {
            policies = try PolicySet(parsing: try read(test.policies))
            schema = try test.schema.map { (s: String) throws(CedarError) in try loadSchema(s) }
            entities = try Entities(jsonData: try read(test.entities).utf8, schema: schema)
        } catch {
            failAll(error.description)
            return
        }
        if let expected = test.shouldValidate, let schema {
            let errors = Validator(schema: schema).validate(policies).errors
            if errors.isEmpty != expected {
                let detail = errors.map(\.description).joined(separator: "; ")
                failAll("shouldValidate is \(expected), but validation \(errors.isEmpty ? "passed" : "failed: \(detail)")")
                return
            }
        }
        let authorizer = Authorizer()
        for expected in test.requests {
            let request: Request
            do {
                request = try Request(json: expected.request, schema: schema)
            } catch {
                outcome.failed += 1
                outcome.failures.append(Failure(file: test.file, what: expected.description, message: error.description))
                continue
            }
            let response = authorizer.isAuthorized(request, policies: policies, entities: entities)
            var problems: [String] = []
            if response.decision != expected.decision {
                problems.append("decision \(response.decision.rawValue), expected \(expected.decision.rawValue)")
            }
            if Set(response.reason) != expected.reason {
                problems.append("reason \(response.reason.sorted()), expected \(expected.reason.sorted())")
            }
            let errorIDs = Set(response.errors.map(\.policyID))
            if errorIDs != expected.errors {
                let details = response.errors.map { "\($0.policyID): \($0.message)" }
                problems.append("errors \(details), expected \(expected.errors.sorted())")
            }
            if problems.isEmpty {
                outcome.passed += 1
            } else {
                outcome.failed += 1
                outcome.failures.append(
                    Failure(file: test.file, what: expected.description, message: problems.joined(separator: "; ")))
            }
        }
    }

    /// Runs every test found at `paths`; a file that cannot be read is reported as a failure.
    public func run(paths: [URL]) -> Outcome {
        var outcome = Outcome()
        for path in paths {
            do {
                for file in try Self.testFiles(at: path) {
                    run(try IntegrationTest(contentsOf: file), into: &outcome)
                }
            } catch {
                outcome.failed += 1
                outcome.failures.append(Failure(file: path.path, what: "(loading)", message: error.description))
            }
        }
        return outcome
    }
}

import Cedar
import CustosAudit
import CustosCore
public import CustosPolicy
import Foundation
public import Hummingbird

/// `/v1/policies`: versioned policies for administrators — push, history, show, activate, rollback,
/// diff and dry run. Every change is audited before it is answered.
struct PolicyRoutes {
    let plane: ControlPlane
    var store: PolicyStore { plane.policies }
    /// Largest push or dry-run body.
    static let maximumBodyBytes = 8 * 1024 * 1024

    struct Push: Decodable {
        var policies: String
        var links: [TemplateLink]?
        var message: String?
        var author: String?
        var activate: Bool?
    }

    /// A version as the API shows it; the listing leaves out the policy text and links.
    struct VersionInfo: ResponseEncodable {
        var version: Int
        var author: String
        var message: String
        var createdAt: Date
        var active: Bool
        var policies: String?
        var links: [TemplateLink]?

        init(_ stored: PolicyVersion, active: Bool, withText: Bool) {
            version = stored.version
            author = stored.author
            message = stored.message
            createdAt = stored.createdAt
            self.active = active
            policies = withText ? stored.draft.policies : nil
            links = withText ? stored.draft.links : nil
        }

        enum CodingKeys: String, CodingKey {
            case version, author, message, active, policies, links
            case createdAt = "created_at"
        }
    }

    struct History: ResponseEncodable {
        var active: Int?
        var versions: [VersionInfo]
        var next: Int?
    }

    struct Activation: ResponseEncodable {
        var active: Int
    }

    struct Rollback: Decodable {
        var to: Int?
        var author: String?
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get { request, _ -> History in
            let limit = try Self.integer(request, "limit", default: 100, range: 1...1000)
            let before = try request.uri.queryParameters.get("before").map { try Self.number($0, "before") }
            let active = try store.repository.activeVersion()
            let versions = try store.repository.versions(before: before, limit: limit)
            return History(
                active: active, versions: versions.map { VersionInfo($0, active: $0.version == active, withText: false) },
                next: versions.count == limit ? versions.last?.version : nil)
        }
        group.post { request, context -> Response in
            let push = try await request.decodeJSON(Push.self, context: context, limit: Self.maximumBodyBytes)
            let author = push.author ?? "admin"
            let activate = push.activate ?? true
            let version = try await store.push(
                PolicyDraft(policies: push.policies, links: push.links ?? []), author: author,
                message: push.message ?? "", activate: activate)
            try await plane.audit.recordEvent(
                activate ? "policy.activated" : "policy.pushed", authorizedBy: author,
                details: ["version": .integer(Int64(version.version)), "message": .string(version.message)])
            var response = try VersionInfo(version, active: activate, withText: true).response(from: request, context: context)
            response.status = .created
            response.headers[.location] = "/v1/policies/\(version.version)"
            return response
        }
        group.get("diff") { request, _ -> PolicyDiff in
            let from = try Self.number(request.uri.queryParameters.get("from") ?? "", "from")
            let to = try Self.number(request.uri.queryParameters.get("to") ?? "", "to")
            return try await store.diff(from: from, to: to)
        }
        group.post("rollback") { request, context -> Activation in
            let body = try await request.decodeJSON(Rollback.self, context: context)
            let author = body.author ?? "admin"
            let version = try await store.rollback(to: try body.to.map { try Self.number(String($0), "to") }, by: author)
            try await plane.audit.recordEvent(
                "policy.activated", authorizedBy: author,
                details: ["version": .integer(Int64(version)), "reason": "rollback"])
            return Activation(active: version)
        }
        group.post("dry-run") { request, context -> Response in
            try await dryRun(request, context: context)
        }
        group.get(":version") { request, context -> VersionInfo in
            let number = try Self.number(context.parameters.get("version") ?? "", "version")
            let version = try await store.version(number)
            return VersionInfo(version, active: try store.repository.activeVersion() == number, withText: true)
        }
        group.post(":version/activate") { request, context -> Activation in
            let number = try Self.number(context.parameters.get("version") ?? "", "version")
            try await store.activate(number, by: "admin")
            try await plane.audit.recordEvent(
                "policy.activated", details: ["version": .integer(Int64(number)), "reason": "activate"])
            return Activation(active: number)
        }
    }

    /// `{"version": N}` or `{"policies": "...", "links": [...]}` as the candidate, and `requests`: AuthZEN
    /// evaluation objects. Answers every request's decision under both sets and which changed.
    private func dryRun(_ request: Request, context: CustosRequestContext) async throws -> Response {
        let body = try await AuthZENRoutes.body(request, limit: Self.maximumBodyBytes)
        guard case .object(let object) = body else { throw CustosError.invalidRequest("the body must be a JSON object") }
        let candidate: PolicySet
        let candidateVersion: Int
        if let version = object["version"] {
            guard case .integer(let number) = version else { throw CustosError.invalidRequest("`version` must be a number") }
            candidateVersion = try Self.number(String(number), "version")
            candidate = try plane.policies.compiler.compile(try await store.version(candidateVersion).draft)
        } else if case .string(let text)? = object["policies"] {
            var links: [TemplateLink] = []
            if let json = object["links"] {
                do {
                    links = try JSONDecoder().decode([TemplateLink].self, from: Data(json.encoded().utf8))
                } catch {
                    throw CustosError.invalidRequest("`links` must be an array of {template, id, values}")
                }
            }
            candidateVersion = 0
            candidate = try plane.policies.compiler.compile(PolicyDraft(policies: text, links: links))
        } else {
            throw CustosError.invalidRequest("give the candidate as `version` (a number) or `policies` (Cedar text)")
        }
        guard case .array(let list)? = object["requests"] else {
            throw CustosError.invalidRequest("`requests` must be an array of AuthZEN evaluation objects")
        }
        var parts: [AuthZENParts] = []
        for (index, item) in list.enumerated() {
            guard case .object(let fields) = item else {
                throw CustosError.invalidRequest("`requests[\(index)]` must be an object")
            }
            parts.append(try AuthZENParts(json: fields, path: "requests[\(index)]."))
        }
        let results = try DryRun(pdp: plane.pdp).run(
            parts, candidate: candidate, candidateVersion: candidateVersion, at: Date())
        func outcome(_ decision: PolicyDecision?) -> JSONValue {
            guard let decision else { return .null }
            return .object([
                "outcome": .string(decision.outcomeName), "reason": .array(decision.reason.map(JSONValue.string)),
                "policy_version": .integer(Int64(decision.policyVersion)),
            ])
        }
        let answer: JSONValue = .object([
            "active_version": .integer(Int64(plane.decisions.snapshot.version)),
            "changed": .integer(Int64(results.filter(\.changed).count)),
            "results": .array(
                results.map { result in
                    var entry: [String: JSONValue] = [
                        "index": .integer(Int64(result.index)), "active": outcome(result.active),
                        "candidate": outcome(result.candidate), "changed": .bool(result.changed),
                    ]
                    if let error = result.error { entry["error"] = .string(error) }
                    return .object(entry)
                }),
        ])
        return AuthZENRoutes.json(answer, status: .ok)
    }

    static func number(_ text: String, _ name: String) throws(CustosError) -> Int {
        guard let n = Int(text), (1...Int(Int32.max)).contains(n) else {
            throw .invalidRequest("`\(name)` must be a version number (1-\(Int32.max))")
        }
        return n
    }

    static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws(CustosError)
        -> Int
    {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let n = Int(text), range.contains(n) else {
            throw .invalidRequest("`\(name)` must be \(range.lowerBound)-\(range.upperBound)")
        }
        return n
    }
}

extension PolicyDiff: ResponseEncodable {}

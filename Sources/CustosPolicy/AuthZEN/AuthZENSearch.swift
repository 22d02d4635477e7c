public import Cedar
public import CustosCore
public import Foundation

/// AuthZEN search: which subjects, resources or actions make a request allowed, answered by
/// evaluating every candidate the decision point knows: the stored entities of the asked type, or the
/// actions the active policies name and those the schema declares.
public struct AuthZENSearch: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case subject, resource, action
    }

    public let pdp: AuthZENPDP
    /// Largest page; also the default.
    public static let maximumPageSize = 1_000

    public init(pdp: AuthZENPDP) {
        self.pdp = pdp
    }

    /// Runs a search request; the answer is `{"results": [...], "page": {"next_token": …}}`.
    public func search(_ kind: Kind, body: JSONValue, at now: Date) throws(CustosError) -> JSONValue {
        guard case .object(var object) = body else { throw .invalidRequest("the request body must be a JSON object") }
        let (limit, offset) = try Self.page(object["page"])
        // The searched part names a type but no id; give it a placeholder id for parsing.
        var searchedType: String?
        if kind != .action {
            guard case .object(var searched)? = object[kind.rawValue] else {
                throw .invalidRequest("`\(kind.rawValue)` is required and must be an object")
            }
            guard case .string(let type)? = searched["type"], !type.isEmpty else {
                throw .invalidRequest("`\(kind.rawValue).type` is required and must be a non-empty string")
            }
            searchedType = type
            searched["id"] = .string("")
            object[kind.rawValue] = .object(searched)
        } else {
            object["action"] = .object(["name": .string("placeholder")])
        }
        let template = try AuthZENParts(json: object).evaluation()
        let snapshot = pdp.service.snapshot
        // Types, properties and context are checked once, so a malformed search is a 400 even when
        // there is no candidate to evaluate.
        _ = try pdp.cedarRequest(template, in: snapshot, at: now)
        let candidates: [String]
        switch kind {
        case .action: candidates = Self.actions(schema: pdp.schema, policies: snapshot.policies)
        case .subject, .resource:
            let type = EntityType(searchedType!)
            candidates = snapshot.entities.entities.keys.filter { $0.type == type }.map(\.id).sorted()
        }
        var results: [JSONValue] = []
        var index = offset
        while index < candidates.count, results.count < limit {
            var evaluation = template
            switch kind {
            case .subject: evaluation.subject = AuthZENEntity(type: searchedType!, id: candidates[index], properties: template.subject.properties)
            case .resource: evaluation.resource = AuthZENEntity(type: searchedType!, id: candidates[index], properties: template.resource.properties)
            case .action: evaluation.action = candidates[index]
            }
            if try pdp.decide(evaluation, in: snapshot, at: now).isAllowed {
                results.append(kind == .action
                    ? .object(["name": .string(candidates[index])])
                    : .object(["type": .string(searchedType!), "id": .string(candidates[index])]))
            }
            index += 1
        }
        var response: [String: JSONValue] = ["results": .array(results)]
        if index < candidates.count { response["page"] = .object(["next_token": .string(String(index))]) }
        return .object(response)
    }

    /// `page.limit` (1…1000, default 1000) and `page.token` (from a previous `next_token`).
    private static func page(_ json: JSONValue?) throws(CustosError) -> (limit: Int, offset: Int) {
        guard let json else { return (maximumPageSize, 0) }
        guard case .object(let fields) = json else { throw .invalidRequest("`page` must be an object") }
        var limit = maximumPageSize
        if let value = fields["limit"] {
            guard case .integer(let n) = value, (1...Int64(maximumPageSize)).contains(n) else {
                throw .invalidRequest("`page.limit` must be 1-\(maximumPageSize)")
            }
            limit = Int(n)
        }
        var offset = 0
        if let value = fields["token"] {
            guard case .string(let token) = value, let n = Int(token), n >= 0 else {
                throw .invalidRequest("`page.token` is not a token this server issued")
            }
            offset = n
        }
        return (limit, offset)
    }

    /// Action names in the order the active policies first name them, then the schema's other
    /// actions sorted by name: stable, and under the policy author's control.
    static func actions(schema: Schema?, policies: PolicySet) -> [String] {
        var names: [String] = []
        var seen = Set<String>()
        func add(_ uid: EntityUID) {
            guard uid.type == .action, seen.insert(uid.id).inserted else { return }
            names.append(uid.id)
        }
        for policy in policies.policies {
            switch policy.action {
            case .equal(let uid), .in(let uid): add(uid)
            case .inSet(let uids): uids.forEach(add)
            case .any: break
            }
        }
        if let schema {
            for uid in schema.actions.keys.sorted(by: { $0.id < $1.id }) { add(uid) }
        }
        return names
    }
}

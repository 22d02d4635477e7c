public import Cedar
public import CustosCore

/// Turns a draft into a policy set that is safe to activate: the text parses, every link names a
/// template and fills its slots, every `@approval` annotation is well formed, and (with a schema) the
/// validator finds no error. Every problem is reported at once, so an author can fix them in one pass.
public struct PolicyCompiler: Sendable {
    public let schema: Schema?
    /// Largest policy text accepted, in bytes.
    public static let maximumTextBytes = 4 * 1024 * 1024
    /// Most template links accepted in one version.
    public static let maximumLinks = 100_000

    public init(schema: Schema?) {
        self.schema = schema
    }

    /// The policy set of `draft`, or `invalidRequest` listing every problem.
    public func compile(_ draft: PolicyDraft) throws(CustosError) -> PolicySet {
        guard draft.policies.utf8.count <= Self.maximumTextBytes else {
            throw .invalidRequest("the policy text is larger than \(Self.maximumTextBytes) bytes")
        }
        guard draft.links.count <= Self.maximumLinks else {
            throw .invalidRequest("more than \(Self.maximumLinks) template links")
        }
        var set: PolicySet
        do {
            set = try PolicySet(parsing: draft.policies)
        } catch {
            throw .invalidRequest("the policies do not parse: \(error.description)")
        }
        var problems: [String] = []
        for link in draft.links {
            var values: [Slot: EntityUID] = [:]
            for (name, entity) in link.values {
                guard let slot = Slot(rawValue: name) else {
                    problems.append("link `\(link.id)`: unknown slot `\(name)` (use ?principal or ?resource)")
                    continue
                }
                values[slot] = EntityUID(type: EntityType(entity.type), id: entity.id)
            }
            do {
                try set.link(template: link.template, as: link.id, values: values)
            } catch {
                problems.append("link `\(link.id)`: \(error.message)")
            }
        }
        problems += ApprovalRule.check(set)
        if let schema {
            let report = Validator(schema: schema).validate(set)
            problems += report.errors.map(\.description)
        }
        guard problems.isEmpty else {
            throw .invalidRequest("the policy set is not valid: " + problems.joined(separator: "; "))
        }
        return set
    }
}

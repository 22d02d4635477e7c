public import Cedar
public import CustosCore
public import Foundation

/// Versioned policies: every push is a new immutable version; a version becomes active only after it
/// compiles and validates against the schema; rollback re-activates the version that was active
/// before. The ``DecisionService`` always holds the active version; changes are serialised, so the
/// stored active version and the one deciding never disagree.
public actor PolicyStore {
    public nonisolated let repository: any PolicyRepository
    public nonisolated let compiler: PolicyCompiler
    public nonisolated let service: DecisionService
    private let now: @Sendable () -> Date

    public init(
        repository: any PolicyRepository, compiler: PolicyCompiler, service: DecisionService,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.repository = repository
        self.compiler = compiler
        self.service = service
        self.now = now
    }

    /// Loads the active version into the decision service. A stored active version that no longer
    /// validates (the schema changed) is an error: the server must not start with policies it cannot
    /// trust, nor silently with none.
    public func restore() throws(CustosError) {
        guard let active = try repository.activeVersion() else { return }
        guard let stored = try repository.version(active) else {
            throw .unavailable("the active policy version \(active) is missing from the store")
        }
        do {
            service.activate(version: active, policies: try compiler.compile(stored.draft))
        } catch {
            throw .unavailable(
                "the active policy version \(active) does not validate against the current schema: \(error.message)")
        }
    }

    /// Stores `draft` as a new version after checking it; with `activate` it also becomes active.
    /// An invalid draft is refused with every problem and stores nothing.
    @discardableResult
    public func push(_ draft: PolicyDraft, author: String, message: String, activate: Bool = true)
        throws(CustosError) -> PolicyVersion
    {
        try Limits.text(author, "author", required: true)
        try Limits.text(message, "message", max: Limits.longText)
        let policies = try compiler.compile(draft)
        let version = try repository.append(draft, author: author, message: message, at: now())
        if activate { try record(version.version, policies, by: author, reason: "push") }
        return version
    }

    /// Makes a stored version active again (it is checked against the current schema first).
    public func activate(_ number: Int, by actor: String, reason: String = "activate") throws(CustosError) {
        try Limits.text(actor, "author", required: true)
        let stored = try version(number)
        try record(number, try compiler.compile(stored.draft), by: actor, reason: reason)
    }

    /// Re-activates `target`, or the version that was active before the current one.
    @discardableResult
    public func rollback(to target: Int? = nil, by actor: String) throws(CustosError) -> Int {
        try Limits.text(actor, "author", required: true)
        let number: Int
        if let target {
            number = target
        } else {
            let recent = try repository.activations(limit: 1000)
            guard let current = recent.first?.version, let previous = recent.first(where: { $0.version != current })
            else { throw .conflict("there is no earlier active version to roll back to") }
            number = previous.version
        }
        try activate(number, by: actor, reason: "rollback")
        return number
    }

    public func version(_ number: Int) throws(CustosError) -> PolicyVersion {
        guard let stored = try repository.version(number) else { throw .notFound("no policy version \(number)") }
        return stored
    }

    /// The policy set of a stored version (compiled, without the schema check).
    public func policies(of number: Int) throws(CustosError) -> PolicySet {
        try PolicyCompiler(schema: nil).compile(try version(number).draft)
    }

    /// What changes from version `old` to version `new`.
    public func diff(from old: Int, to new: Int) throws(CustosError) -> PolicyDiff {
        PolicyDiff(from: try policies(of: old), to: try policies(of: new))
    }

    private func record(_ number: Int, _ policies: PolicySet, by actor: String, reason: String) throws(CustosError) {
        try repository.recordActivation(
            PolicyActivation(version: number, activatedBy: actor, activatedAt: now(), reason: reason))
        service.activate(version: number, policies: policies)
    }
}

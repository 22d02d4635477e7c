public import Cedar
public import CustosCore
public import Foundation

/// The OpenID AuthZEN 1.0 decision point over the ``DecisionService``.
///
/// Mapping (docs/POLICY.md): subject `{type, id, properties}` → principal `type::"id"`; action `name` →
/// `Action::"name"`; resource like the subject; `context` members → the Cedar context, plus `time`
/// when the caller did not send one. A subject or resource the entity store knows keeps its stored
/// attributes and parents; request properties only add attributes the store does not define, so a
/// caller cannot override what the registry says (its roles, its sponsor…). An `AgentInstance` named
/// `"<agent>/<instance>"` of a registered agent is a member of that agent, like the instance entity the
/// gateway builds from a credential.
public struct AuthZENPDP: Sendable {
    public let service: DecisionService
    /// With a schema, subject and resource types it does not declare are refused.
    public let schema: Schema?
    /// `context.time` in the configured zone.
    public let time: TimeContext

    public init(service: DecisionService, schema: Schema?, timeZone: TimeZone) {
        self.service = service
        self.schema = schema
        self.time = TimeContext(timeZone: timeZone)
    }

    /// One decided evaluation of a batch, or why it could not be decided.
    public struct Outcome: Sendable {
        public var evaluation: AuthZENEvaluation?
        public var decision: PolicyDecision?
        public var error: CustosError?
    }

    /// The Cedar request and the request entities for `evaluation`.
    public func cedarRequest(_ evaluation: AuthZENEvaluation, in snapshot: PolicySnapshot, at now: Date)
        throws(CustosError) -> (request: Request, entities: [Entity])
    {
        let (subject, resource) = (evaluation.subject.uid, evaluation.resource.uid)
        var requestEntities: [Entity] = []
        try overlay(evaluation.subject, subject, role: "subject", in: snapshot, into: &requestEntities)
        try overlay(evaluation.resource, resource, role: "resource", in: snapshot, into: &requestEntities)
        var context: [String: Value] = [:]
        context.reserveCapacity(evaluation.context.count + 1)
        for (name, json) in evaluation.context {
            do {
                context[name] = try Value(json: json)
            } catch {
                throw .invalidRequest("`context.\(name)`: \(error.message)")
            }
        }
        if context["time"] == nil { context["time"] = time.value(at: now) }
        let request = Request(
            principal: subject, action: EntityUID(type: .action, id: evaluation.action), resource: resource, context: context)
        return (request, requestEntities)
    }

    /// The request entity for the subject or resource `entity` (its `uid` computed once by the caller),
    /// if the request needs one: the stored entity with the request's properties added, or an agent
    /// instance of a registered agent.
    private func overlay(
        _ entity: AuthZENEntity, _ uid: EntityUID, role: String, in snapshot: PolicySnapshot, into requestEntities: inout [Entity]
    ) throws(CustosError) {
        if let schema, schema.entityTypes[uid.type] == nil {
            throw .invalidRequest("`\(role).type`: unknown entity type `\(entity.type)`")
        }
        var stored = snapshot.entities[uid]
        if stored == nil, let instance = RegistryProjection.instance(named: uid, in: snapshot.entities) {
            // An instance of a registered agent: a member of its agent, as the gateway would build it.
            stored = instance
            if entity.properties.isEmpty {
                requestEntities.append(instance)
                return
            }
        }
        guard !entity.properties.isEmpty else { return }
        var attributes = stored?.attributes ?? [:]
        for (name, json) in entity.properties where attributes[name] == nil {
            do {
                attributes[name] = try Value(json: json)
            } catch {
                throw .invalidRequest("`\(role).properties.\(name)`: \(error.message)")
            }
        }
        requestEntities.append(Entity(uid: uid, attributes: attributes, parents: stored?.parents ?? [], tags: stored?.tags ?? [:]))
    }

    /// Decides one evaluation against the active snapshot.
    public func decide(_ evaluation: AuthZENEvaluation, at now: Date) throws(CustosError) -> PolicyDecision {
        try decide(evaluation, in: service.snapshot, at: now)
    }

    /// Decides one evaluation against `snapshot` (the active one, or a candidate for a dry run).
    public func decide(_ evaluation: AuthZENEvaluation, in snapshot: PolicySnapshot, at now: Date) throws(CustosError)
        -> PolicyDecision
    {
        let (request, entities) = try cedarRequest(evaluation, in: snapshot, at: now)
        return snapshot.decide(request, requestEntities: entities)
    }

    /// Decides a batch: every item (completed by the top-level defaults) against one snapshot, stopping
    /// as `semantic` says. An item that cannot be decided is an error outcome (a deny) and counts as a
    /// deny for `deny_on_first_deny`. A request without items is one evaluation; its error is thrown.
    ///
    /// With `execute_all` and at least ``parallelBatchItems`` items, the items are decided on all cores
    /// in contiguous chunks (decisions read only the immutable snapshot), and the outcomes keep the
    /// items' order; the stopping semantics decide one item after the other (as every batch does with
    /// `parallel` false). The chunks are small (at least four items, up to eight chunks a core), so
    /// that when one core starts late the others take its share instead of the batch waiting for it.
    public func decide(_ batch: AuthZENBatch, at now: Date, parallel: Bool = true) throws(CustosError) -> [Outcome] {
        let snapshot = service.snapshot
        guard !batch.items.isEmpty else {
            let evaluation = try batch.defaults.evaluation()
            return [Outcome(evaluation: evaluation, decision: try decide(evaluation, in: snapshot, at: now))]
        }
        let cores = Self.cores
        if parallel, batch.semantic == .executeAll, batch.items.count >= Self.parallelBatchItems, cores > 1 {
            return decideInParallel(batch, in: snapshot, at: now, chunks: min(8 * cores, batch.items.count / 4))
        }
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(batch.items.count)
        for index in batch.items.indices {
            let outcome = self.outcome(of: batch, item: index, in: snapshot, at: now)
            outcomes.append(outcome)
            let allowed = outcome.decision?.isAllowed ?? false
            if batch.semantic == .denyOnFirstDeny && !allowed { break }
            if batch.semantic == .permitOnFirstPermit && allowed { break }
        }
        return outcomes
    }

    /// Batches of at least this many `execute_all` items are decided on all cores.
    public static let parallelBatchItems = 16

    /// The cores, counted once: Foundation reads the system's files for the count on every call,
    /// which cost a batch two to three percent and put system calls on its path.
    private static let cores = ProcessInfo.processInfo.activeProcessorCount

    private func outcome(of batch: AuthZENBatch, item index: Int, in snapshot: PolicySnapshot, at now: Date) -> Outcome {
        var outcome = Outcome()
        do {
            let evaluation = try batch.items[index].completed(by: batch.defaults).evaluation(path: "evaluations[\(index)].")
            outcome.evaluation = evaluation
            outcome.decision = try decide(evaluation, in: snapshot, at: now)
        } catch {
            outcome.error = error
        }
        return outcome
    }

    private func decideInParallel(_ batch: AuthZENBatch, in snapshot: PolicySnapshot, at now: Date, chunks: Int) -> [Outcome] {
        Parallel.map(count: batch.items.count, chunks: chunks) { index in outcome(of: batch, item: index, in: snapshot, at: now) }
    }
}

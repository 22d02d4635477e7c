import Cedar
import CustosCore
import CustosPolicy
import Foundation
import Testing

/// The shipped agent schema, the registry projection, requests built from a caller's identity.
@Suite struct AgentDomainTests {
    static func agent(_ id: String, groups: [String] = ["finance-agents"], zone: String = "internal") throws -> Agent {
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        return Agent(
            id: try AgentID(id), name: id, sponsor: "alice@example.com", owners: ["bob@example.com"], purpose: "reports",
            zone: zone, groups: groups, blueprint: Blueprint(), status: .active, revocationEpoch: 0, createdAt: time,
            updatedAt: time, lastSeenAt: nil)
    }

    /// The policies ARCHITECTURE.md shows users writing validate against the shipped schema.
    @Test func theDocumentedExamplePoliciesValidate() throws {
        let policies = try PolicySet(parsing: """
            permit (principal in Group::"finance-agents", action == Action::"read", resource in Dataset::"crm")
            when { context.time.hour >= 9 && context.time.hour < 17 && context.time.weekday < 5 };

            forbid (principal, action == Action::"call_tool", resource in Zone::"external")
            when { context has session && context.session.taints.contains("pii") };

            @approval("dual")
            forbid (principal, action == Action::"export", resource)
            unless { context.approvals >= 2 };

            permit (principal is AgentInstance, action == Action::"call_tool", resource)
            when { context.delegation.depth <= principal.agent.max_delegation_depth &&
                   context.delegation has on_behalf_of && context.delegation.on_behalf_of == principal.agent.sponsor };
            """)
        let report = Validator(schema: try AgentSchema.schema()).validate(policies)
        #expect(report.errors.isEmpty, "\(report.errors)")
    }

    @Test func registryChangesReachDecisionsWithoutARestart() throws {
        let service = try DecisionService(configured: [
            Entity(uid: EntityUID("Dataset", "crm-2026"), parents: [EntityUID("Dataset", "crm")])
        ])
        service.activate(version: 1, policies: try PolicySet(parsing: """
            @id("finance-reads-crm")
            permit (principal in Group::"finance-agents", action == Action::"read", resource in Dataset::"crm");
            """))
        let builder = AgentRequestBuilder(timeZone: .gmt)
        let caller = AgentCaller(agent: try AgentID("reporter"), instance: "pod-1")
        func decide() -> PolicyDecision.Outcome {
            let (request, entities) = builder.request(
                caller: caller, action: "read", resource: EntityUID("Dataset", "crm-2026"), at: Date())
            return service.snapshot.decide(request, requestEntities: entities).outcome
        }
        #expect(decide() == .deny, "unknown agents hold nothing")
        var agent = try Self.agent("reporter")
        try service.apply(.saved(agent))
        #expect(decide() == .allow)
        agent.groups = ["marketing"]
        agent.updatedAt += 1
        try service.apply(.saved(agent))
        #expect(decide() == .deny)
        var stale = try Self.agent("reporter")
        stale.updatedAt -= 10
        try service.apply(.saved(stale))
        #expect(decide() == .deny, "an older copy never replaces a newer one")
        try service.apply(.removed(agent.id))
        #expect(service.snapshot.entities[EntityUID("Agent", "reporter")] == nil)
    }

    @Test func aSuspendedAgentIsDeniedWhateverThePoliciesSay() throws {
        let service = try DecisionService()
        service.activate(version: 4, policies: try PolicySet(parsing: "permit (principal, action, resource);"))
        var agent = try Self.agent("reporter")
        try service.apply(.saved(agent))
        let caller = AgentCaller(agent: agent.id, instance: "pod-1")
        func decide() -> PolicyDecision {
            let (request, entities) = AgentRequestBuilder(timeZone: .gmt).request(
                caller: caller, action: "read", resource: EntityUID("Dataset", "crm"), at: Date())
            return service.snapshot.decide(request, requestEntities: entities)
        }
        func decideAsAgent() -> PolicyDecision {
            service.snapshot.decide(
                Request(principal: RegistryProjection.uid(agent.id), action: EntityUID("Action", "read"),
                        resource: EntityUID("Dataset", "crm")))
        }
        #expect(decide().outcome == .allow)
        agent.status = .suspended
        agent.updatedAt += 1
        try service.apply(.saved(agent))
        #expect(decide().outcome == .deny)
        #expect(decide().reason == [PolicySnapshot.inactiveAgentReason])
        #expect(decideAsAgent().outcome == .deny)
        // An AuthZEN caller cannot claim the agent is active: stored attributes win over properties.
        let pdp = AuthZENPDP(service: service, schema: nil, timeZone: .gmt)
        let claim = AuthZENEvaluation(
            subject: AuthZENEntity(type: "Agent", id: "reporter", properties: ["status": "active"]), action: "read",
            resource: AuthZENEntity(type: "Dataset", id: "crm"))
        #expect(try pdp.decide(claim, at: Date()).outcome == .deny)
    }

    @Test func anAuthZENSubjectThatIsAnInstanceOfARegisteredAgentIsAMemberOfIt() throws {
        let service = try DecisionService()
        service.activate(version: 1, policies: try PolicySet(parsing: #"permit (principal in Group::"finance-agents", action, resource);"#))
        try service.apply(.saved(try Self.agent("reporter")))
        let pdp = AuthZENPDP(service: service, schema: try AgentSchema.schema(), timeZone: .gmt)
        func decide(_ id: String) throws -> PolicyDecision.Outcome {
            try pdp.decide(
                AuthZENEvaluation(
                    subject: AuthZENEntity(type: "AgentInstance", id: id), action: "read",
                    resource: AuthZENEntity(type: "Dataset", id: "crm"), context: ["approvals": .integer(0)]), at: Date()
            ).outcome
        }
        #expect(try decide("reporter/pod-1") == .allow)
        #expect(try decide("stranger/pod-1") == .deny)
        #expect(try decide("reporter/") == .deny)
    }

    @Test func theProjectedAgentCarriesItsRegistryFacts() throws {
        let entity = RegistryProjection.entity(try Self.agent("reporter"))
        #expect(entity.attributes["sponsor"] == .entity(EntityUID("User", "alice@example.com")))
        #expect(entity.parents == [EntityUID("Group", "finance-agents"), EntityUID("Zone", "internal")])
        #expect(throws: CustosError.self) {
            try DecisionService(configured: [Entity(uid: EntityUID("Agent", "forged"))])
        }
    }

    @Test func requestsSayWhoExecutedAndWhoAuthorized() throws {
        let caller = AgentCaller(
            agent: try AgentID("worker"), instance: "7", chain: [try AgentID("planner"), try AgentID("worker")],
            onBehalfOf: "carol@example.com")
        let (request, entities) = AgentRequestBuilder(timeZone: .gmt).request(
            caller: caller, action: "call_tool", resource: EntityUID("Tool", "search"),
            context: ["approvals": .long(1), "time": .long(0)], at: Date(timeIntervalSince1970: 0))
        #expect(request.principal == EntityUID("AgentInstance", "worker/7"))
        #expect(entities.first?.parents == [EntityUID("Agent", "worker")])
        guard case .record(let delegation)? = request.context["delegation"] else {
            Issue.record("no delegation context")
            return
        }
        #expect(delegation["depth"] == .long(1))
        #expect(delegation["on_behalf_of"] == .entity(EntityUID("User", "carol@example.com")))
        #expect(request.context["approvals"] == .long(1))
        guard case .record(let time)? = request.context["time"] else {
            Issue.record("the caller replaced `time`")
            return
        }
        #expect(time["weekday"] == .long(3), "1970-01-01 was a Thursday")
    }

    @Test func timeIsLocalToTheConfiguredZone() throws {
        // 2026-11-27T23:30:00Z is Saturday 00:30 in Zurich, Friday 23:30 in UTC.
        let instant = Date(timeIntervalSince1970: 1_795_822_200)
        guard case .record(let utc) = TimeContext(timeZone: .gmt).value(at: instant),
            case .record(let zurich) = TimeContext(timeZone: TimeZone(identifier: "Europe/Zurich")!).value(at: instant)
        else { return }
        #expect(utc["weekday"] == .long(4))
        #expect(utc["hour"] == .long(23))
        #expect(zurich["weekday"] == .long(5))
        #expect(zurich["hour"] == .long(0))
        #expect(zurich["date"] == utc["date"])
        // Within one second the value is shared; the next second gets its own.
        let source = TimeContext(timeZone: .gmt)
        #expect(source.value(at: instant) == source.value(at: instant.addingTimeInterval(0.9)))
        #expect(source.value(at: instant) != source.value(at: instant.addingTimeInterval(61)))
    }
}

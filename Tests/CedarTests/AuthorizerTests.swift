import Cedar
import Testing

@Suite struct AuthorizerTests {
    static let request = Request(
        principal: EntityUID("User", "alice"), action: EntityUID("Action", "view"), resource: EntityUID("Photo", "p"),
        context: ["n": .long(1)])

    static func decide(_ text: String) throws -> Response {
        Authorizer().isAuthorized(request, policies: try PolicySet(parsing: text), entities: Entities())
    }

    @Test func defaultDeny() throws {
        let response = try Self.decide("permit(principal == User::\"bob\", action, resource);")
        #expect(response == Response(decision: .deny, reason: [], errors: []))
    }

    @Test func forbidOverridesPermitAndIsTheOnlyReason() throws {
        let response = try Self.decide(
            """
            permit(principal, action, resource);
            @id("block") forbid(principal, action == Action::"view", resource);
            permit(principal == User::"alice", action, resource);
            """)
        #expect(response.decision == .deny)
        #expect(response.reason == ["block"])
    }

    @Test func everySatisfiedPermitIsAReason() throws {
        let response = try Self.decide(
            """
            permit(principal, action, resource);
            permit(principal, action, resource) when { context.n == 1 };
            permit(principal, action, resource) unless { context.n == 1 };
            """)
        #expect(response.decision == .allow)
        #expect(response.reason == ["policy0", "policy1"])
    }

    @Test func anErroringForbidIsSkippedAndReported() throws {
        let response = try Self.decide(
            """
            permit(principal, action, resource);
            forbid(principal, action, resource) when { context.missing };
            """)
        #expect(response.decision == .allow)
        #expect(response.reason == ["policy0"])
        #expect(response.errors.map(\.policyID) == ["policy1"])
        #expect(response.errors.first?.message.contains("missing") == true)
    }

    @Test func aNonBooleanConditionIsAnError() throws {
        let response = try Self.decide("permit(principal, action, resource) when { context.n };")
        #expect(response.decision == .deny)
        #expect(response.errors.map(\.policyID) == ["policy0"])
    }

    @Test func linkedTemplatesAreEvaluatedUnderTheirLinkID() throws {
        var set = try PolicySet(parsing: "permit(principal == ?principal, action, resource);")
        try set.link(template: "policy0", as: "alice-can", values: [.principal: EntityUID("User", "alice")])
        try set.link(template: "policy0", as: "bob-can", values: [.principal: EntityUID("User", "bob")])
        let response = Authorizer().isAuthorized(Self.request, policies: set, entities: Entities())
        #expect(response.decision == .allow)
        #expect(response.reason == ["alice-can"])
    }

    @Test func theReadmeExampleWorks() throws {
        let policies = try PolicySet(
            parsing: """
                permit (principal in Group::"finance-agents", action == Action::"read", resource)
                when { context.hour >= 9 && context.hour < 17 };
                """)
        let entities = try Entities([
            Entity(uid: EntityUID("Agent", "a1"), parents: [EntityUID("Group", "finance-agents")])
        ])
        let request = Request(
            principal: EntityUID("Agent", "a1"), action: EntityUID("Action", "read"),
            resource: EntityUID("Dataset", "crm"), context: ["hour": .long(10)])
        let response = Authorizer().isAuthorized(request, policies: policies, entities: entities)
        #expect(response.decision == .allow)
        #expect(response.reason == ["policy0"])
    }
}

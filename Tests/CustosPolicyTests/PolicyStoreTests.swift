import Cedar
import CustosCore
import CustosPolicy
import Foundation
import Testing

/// Versions, validation before activation, rollback and diff.
@Suite struct PolicyStoreTests {
    static let schema = try! Schema(cedarSchema: """
        entity User;
        entity Doc = { public: Bool };
        action read appliesTo { principal: [User], resource: [Doc] };
        """)

    func store() throws -> (PolicyStore, DecisionService) {
        let service = try DecisionService()
        let store = PolicyStore(
            repository: InMemoryPolicyRepository(), compiler: PolicyCompiler(schema: Self.schema), service: service)
        return (store, service)
    }

    static let readPublic = #"@id("read-public") permit (principal, action == Action::"read", resource) when { resource.public };"#
    static let readAll = #"@id("read-all") permit (principal, action == Action::"read", resource);"#

    @Test func aPushBecomesTheActiveVersion() async throws {
        let (store, service) = try store()
        #expect(service.snapshot.version == 0)
        let first = try await store.push(PolicyDraft(policies: Self.readPublic), author: "ana", message: "first")
        #expect(first.version == 1)
        #expect(service.snapshot.version == 1)
        let second = try await store.push(PolicyDraft(policies: Self.readAll), author: "ana", message: "open up", activate: false)
        #expect(second.version == 2)
        #expect(service.snapshot.version == 1, "a staged version is not active")
        try await store.activate(2, by: "ben")
        #expect(service.snapshot.version == 2)
        #expect(try store.repository.activations(limit: 10).map(\.activatedBy) == ["ben", "ana"])
    }

    @Test(arguments: [
        (#"permit (principal, action, resource) when { resource.secret };"#, "secret"),
        (#"permit (principal, action == Action::"fly", resource);"#, "fly"),
        (#"permit (principal, action, resource"#, "do not parse"),
        (#"@approval("maybe") forbid (principal, action, resource);"#, "@approval"),
    ])
    func anInvalidSetIsRefusedAndChangesNothing(text: String, expected: String) async throws {
        let (store, service) = try store()
        try await store.push(PolicyDraft(policies: Self.readPublic), author: "ana", message: "first")
        let error = await #expect(throws: CustosError.self) {
            try await store.push(PolicyDraft(policies: text), author: "ana", message: "bad")
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(service.snapshot.version == 1)
        #expect(try store.repository.versions(before: nil, limit: 10).count == 1, "nothing was stored")
    }

    @Test func templatesAndLinksAreStoredAndChecked() async throws {
        let (store, service) = try store()
        let template = #"@id("reader") permit (principal == ?principal, action == Action::"read", resource);"#
        let link = TemplateLink(template: "reader", id: "alice-reads", values: ["?principal": .init(type: "User", id: "alice")])
        try await store.push(PolicyDraft(policies: template, links: [link]), author: "ana", message: "links")
        let request = Request(principal: EntityUID("User", "alice"), action: EntityUID("Action", "read"), resource: EntityUID("Doc", "1"))
        #expect(service.snapshot.decide(request).reason == ["alice-reads"])
        let broken = TemplateLink(template: "missing", id: "x", values: [:])
        await #expect(throws: CustosError.self) {
            try await store.push(PolicyDraft(policies: template, links: [broken]), author: "ana", message: "bad link")
        }
    }

    @Test func rollbackReturnsToThePreviousActiveVersion() async throws {
        let (store, service) = try store()
        try await store.push(PolicyDraft(policies: Self.readPublic), author: "ana", message: "1")
        try await store.push(PolicyDraft(policies: Self.readAll), author: "ana", message: "2")
        #expect(try await store.rollback(by: "ana") == 1)
        #expect(service.snapshot.version == 1)
        #expect(try await store.rollback(by: "ana") == 2, "rolling back a rollback returns to the version before it")
        #expect(try await store.rollback(to: 1, by: "ana") == 1)
        await #expect(throws: CustosError.self) { try await store.rollback(to: 9, by: "ana") }
    }

    @Test func aFreshStoreHasNothingToRollBackTo() async throws {
        let (store, _) = try store()
        try await store.push(PolicyDraft(policies: Self.readPublic), author: "ana", message: "1")
        await #expect(throws: CustosError.conflict("")) { try await store.rollback(by: "ana") }
    }

    @Test func diffNamesAddedRemovedAndChangedPolicies() async throws {
        let (store, _) = try store()
        try await store.push(PolicyDraft(policies: Self.readPublic + "\n" + #"@id("gone") forbid (principal, action, resource);"#), author: "a", message: "1")
        try await store.push(
            PolicyDraft(policies: #"@id("read-public") permit (principal, action == Action::"read", resource);"# + Self.readAll),
            author: "a", message: "2")
        let diff = try await store.diff(from: 1, to: 2)
        #expect(diff.added == ["read-all"])
        #expect(diff.removed == ["gone"])
        #expect(diff.changed == ["read-public"])
        #expect(try await store.diff(from: 2, to: 2).isEmpty)
    }

    @Test func restoreLoadsTheActiveVersionOrRefusesOneThatNoLongerValidates() async throws {
        let repository = InMemoryPolicyRepository()
        let first = PolicyStore(repository: repository, compiler: PolicyCompiler(schema: Self.schema), service: try DecisionService())
        try await first.push(PolicyDraft(policies: Self.readPublic), author: "ana", message: "1")
        let service = try DecisionService()
        try await PolicyStore(repository: repository, compiler: PolicyCompiler(schema: Self.schema), service: service).restore()
        #expect(service.snapshot.version == 1)
        let narrower = try Schema(cedarSchema: "entity User; entity Doc; action read appliesTo { principal: [User], resource: [Doc] };")
        await #expect(throws: CustosError.self) {
            try await PolicyStore(repository: repository, compiler: PolicyCompiler(schema: narrower), service: try DecisionService()).restore()
        }
    }

    @Test func dryRunShowsWhichDecisionsChange() async throws {
        let (store, service) = try store()
        try await store.push(PolicyDraft(policies: Self.readAll), author: "ana", message: "1")
        let pdp = AuthZENPDP(service: service, schema: Self.schema, timeZone: .gmt)
        let requests = try [
            #"{"subject": {"type": "User", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "Doc", "id": "1", "properties": {"public": true}}}"#,
            #"{"subject": {"type": "User", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "Doc", "id": "2", "properties": {"public": false}}}"#,
            #"{"action": {"name": "read"}}"#,
        ].map { text throws -> AuthZENParts in
            guard case .object(let fields) = try JSONValue.decode(text) else { throw CustosError.invalidRequest("") }
            return try AuthZENParts(json: fields)
        }
        let candidate = try PolicyCompiler(schema: Self.schema).compile(PolicyDraft(policies: Self.readPublic))
        let results = try DryRun(pdp: pdp).run(requests, candidate: candidate, candidateVersion: 0, at: Date())
        #expect(results.map(\.changed) == [false, true, false])
        #expect(results[1].active?.outcome == .allow)
        #expect(results[1].candidate?.outcome == .deny)
        #expect(results[2].error?.contains("subject") == true)
    }
}

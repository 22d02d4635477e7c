import Cedar
import CustosPolicy
import Testing

/// The approval obligation: when a deny becomes "needs approval", and every corner where it must not.
@Suite struct ApprovalRuleTests {
    static let principal = EntityUID("User", "alice")
    static let action = EntityUID("Action", "export")
    static let resource = EntityUID("Dataset", "crm")

    func decide(_ text: String, context: [String: Value] = [:]) throws -> PolicyDecision {
        let policies = try PolicySet(parsing: text)
        let snapshot = PolicySnapshot(version: 7, policies: policies, entities: Entities())
        return snapshot.decide(
            Request(principal: Self.principal, action: Self.action, resource: Self.resource, context: context))
    }

    static let permit = #"@id("p") permit (principal, action, resource);"#
    static let dual = #"@id("dual") @approval("dual") forbid (principal, action, resource) unless { context.approvals >= 2 };"#
    static let single = #"@id("single") @approval("single") forbid (principal, action, resource) unless { context.approvals >= 1 };"#

    @Test func anApprovalForbidAloneAsksForApproval() throws {
        let decision = try decide(Self.permit + Self.dual, context: ["approvals": .long(0)])
        #expect(decision.outcome == .needsApproval(.dual))
        #expect(decision.reason == ["dual"])
        #expect(decision.policyVersion == 7)
        #expect(!decision.isAllowed)
    }

    @Test func theApprovalsInContextLiftIt() throws {
        #expect(try decide(Self.permit + Self.dual, context: ["approvals": .long(2)]).outcome == .allow)
        #expect(try decide(Self.permit + Self.dual, context: ["approvals": .long(1)]).outcome == .needsApproval(.dual))
    }

    @Test func anotherForbidMakesItAPlainDeny() throws {
        let other = #"@id("never") forbid (principal, action, resource);"#
        let decision = try decide(Self.permit + Self.dual + other, context: ["approvals": .long(0)])
        #expect(decision.outcome == .deny)
        #expect(Set(decision.reason) == ["dual", "never"])
    }

    @Test func withoutAPermitThereIsNothingToApprove() throws {
        #expect(try decide(Self.dual, context: ["approvals": .long(0)]).outcome == .deny)
    }

    @Test func twoLevelsAskForTheHigher() throws {
        let decision = try decide(Self.permit + Self.single + Self.dual, context: ["approvals": .long(0)])
        #expect(decision.outcome == .needsApproval(.dual))
        #expect(try decide(Self.permit + Self.single, context: ["approvals": .long(0)]).outcome == .needsApproval(.single))
    }

    @Test func anErringPlainForbidFailsClosed() throws {
        // `context.missing` does not exist: the forbid errs, and might have applied.
        let erring = #"@id("erring") forbid (principal, action, resource) when { context.missing };"#
        let decision = try decide(Self.permit + Self.dual + erring, context: ["approvals": .long(0)])
        #expect(decision.outcome == .deny)
        #expect(decision.errors.map(\.policyID) == ["erring"])
    }

    @Test func anErringApprovalForbidStillAsksForItsLevel() throws {
        // The dual forbid errs (no `approvals` in context); the single one applies: dual is required.
        let erringDual = #"@id("dual") @approval("dual") forbid (principal, action, resource) unless { context.approvals >= 2 };"#
        let single = #"@id("single") @approval("single") forbid (principal, action, resource);"#
        let decision = try decide(Self.permit + erringDual + single)
        #expect(decision.outcome == .needsApproval(.dual))
    }

    @Test func anErringPermitDoesNotMatterWhenAnotherPermits() throws {
        let erring = #"@id("erring") permit (principal, action, resource) when { context.missing };"#
        #expect(try decide(Self.permit + erring + Self.single, context: ["approvals": .long(0)]).outcome == .needsApproval(.single))
    }

    @Test func malformedAnnotationsAreReported() throws {
        let wrongValue = try PolicySet(parsing: #"@approval("triple") forbid (principal, action, resource);"#)
        #expect(ApprovalRule.check(wrongValue).count == 1)
        let onPermit = try PolicySet(parsing: #"@approval("single") permit (principal, action, resource);"#)
        #expect(ApprovalRule.check(onPermit).count == 1)
        // A forbid with an invalid level is a plain forbid when deciding.
        let decision = try decide(Self.permit + #"@approval("triple") forbid (principal, action, resource);"#)
        #expect(decision.outcome == .deny)
    }
}

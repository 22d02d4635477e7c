import Cedar
import Testing

/// Validation verdicts; every expected verdict here is what Rust Cedar 4.12 (cedarpy) answers.
@Suite struct ValidatorTests {
    static let schema = try! Schema(
        cedarSchema: """
            entity Team;
            entity User in [Team] = { age: Long, name: String, manager?: User, address: { city: String, zip?: String }, score: decimal } tags String;
            entity Doc = { owner: User, labels: Set<String> };
            action view appliesTo { principal: [User], resource: [Doc], context: { ip: ipaddr, n?: Long } };
            action share in [view] appliesTo { principal: [User], resource: [Doc], context: {} };
            """)

    @Test(arguments: [
        (#"permit(principal, action == Action::"view", resource) when { principal.age > 3 && resource.owner == principal };"#, true),
        (#"permit(principal, action, resource) when { principal.manager.age > 3 };"#, false),
        (#"permit(principal, action, resource) when { principal has manager && principal.manager.age > 3 };"#, true),
        (#"permit(principal, action, resource) when { principal.address.zip == "x" };"#, false),
        (#"permit(principal, action, resource) when { principal.address has zip && principal.address.zip == "x" };"#, true),
        (#"permit(principal, action == Action::"view", resource) when { context.n > 1 };"#, false),
        (#"permit(principal, action == Action::"view", resource) when { context has n && context.n > 1 };"#, true),
        (#"permit(principal, action, resource) when { principal.age + "x" == 1 };"#, false),
        (#"permit(principal, action, resource) when { principal.age };"#, false),
        (#"permit(principal, action, resource) when { principal == resource };"#, true),
        (#"permit(principal, action, resource) when { principal.age == "x" };"#, false),
        (#"permit(principal, action, resource) when { [1, "a"].contains(1) };"#, false),
        (#"permit(principal, action, resource) when { [].isEmpty() };"#, false),
        (#"permit(principal, action, resource) when { Photo::"x" == resource };"#, false),
        (#"permit(principal, action == Action::"nosuch", resource);"#, false),
        (#"permit(principal, action, resource) when { principal.getTag("t") == "x" };"#, false),
        (#"permit(principal, action, resource) when { principal.hasTag("t") && principal.getTag("t") == "x" };"#, true),
        (#"permit(principal, action, resource) when { resource.hasTag("t") };"#, true),
        (#"permit(principal, action, resource) when { decimal(principal.name).lessThan(principal.score) };"#, false),
        (#"permit(principal, action, resource) when { principal.score.lessThan(decimal("1.5")) };"#, true),
        (#"permit(principal, action, resource) when { ip("1.2.3") == ip("1.2.3.4") };"#, false),
        (#"permit(principal, action, resource) when { if principal.age > 1 then 1 else "a" };"#, false),
        (#"permit(principal, action, resource) when { (if principal.age > 1 then 1 else 2) == 1 };"#, true),
        (#"permit(principal, action, resource) when { false && principal.nosuch };"#, true),
        (#"permit(principal, action, resource) when { resource.labels.containsAny(["a"]) && principal in Team::"t" };"#, true),
        (#"permit(principal, action, resource) when { resource in principal };"#, true),
        (#"permit(principal is Team, action, resource);"#, false),
        (#"permit(principal, action in Action::"view", resource) when { action in Action::"share" };"#, true),
        (#"permit(principal, action, resource) when { principal.address == {city: "x"} };"#, false),
        (#"permit(principal, action, resource) when { {a: 1}.b == 1 };"#, false),
        (#"permit(principal, action, resource) when { principal.name like "a*" && principal.age < principal.age * 2 };"#, true),
        (#"permit(principal, action, resource) when { datetime("2024-01-01") < datetime("2024-01-02").offset(duration("1h")) };"#, true),
        (#"permit(principal, action, resource) when { principal is Doc };"#, true),
        (#"permit(principal, action, resource) when { context.ip.isLoopback() };"#, false),
        (#"permit(principal == ?principal, action, resource) when { principal.age > 1 };"#, true),
    ])
    func verdictMatchesRustCedar(policy: String, valid: Bool) throws {
        let report = Validator(schema: Self.schema).validate(try PolicySet(parsing: policy))
        #expect(report.isValid == valid, "\(report.errors)")
    }

    @Test func impossiblePoliciesAreWarningsNotErrors() throws {
        let report = Validator(schema: Self.schema).validate(
            try PolicySet(parsing: #"permit(principal, action, resource) when { principal is Doc };"#))
        #expect(report.isValid)
        #expect(report.warnings.count == 1)
    }

    @Test func errorsNameThePolicyAndItsLocation() throws {
        let report = Validator(schema: Self.schema).validate(
            try PolicySet(parsing: "permit(principal, action, resource);\n@id(\"bad\")\npermit(principal, action, resource) when { principal.age };"))
        #expect(report.errors.map(\.policyID) == ["bad"])
        #expect(report.errors.first?.location?.line == 3)
    }
}

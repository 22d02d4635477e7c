import Cedar
import Testing

@Suite struct FormatTests {
    static let sample = """
        @id("p1")
        @note("x")
        permit (principal is User in Group::"g", action in [Action::"a", Action::"b"], resource == Photo::"p")
        when { -5 + --3 == 2 && !context.a.isEmpty() && "ab" like "a*\\*" && principal has a.b }
        unless { (if true then 1 else 2) > -(4) || principal["x y"] is T in T::"t" || {"k y": 1, a: [ip("::1")]}.a.contains(decimal("1.0")) };
        permit (principal == ?principal, action, resource in ?resource) when { principal.getTag("t") == -1.isEmpty() };
        """

    @Test func formattingRoundTripsToTheSamePolicies() throws {
        let original = try PolicySet(parsing: Self.sample)
        let again = try PolicySet(parsing: original.cedarText)
        #expect(again.json == original.json)
        #expect(again.order == original.order)
    }

    @Test func jsonPolicyFormatRoundTrips() throws {
        var original = try PolicySet(parsing: Self.sample)
        try original.link(template: "policy1", as: "l1", values: [.principal: EntityUID("U", "a"), .resource: EntityUID("F", "f")])
        let again = try PolicySet(json: try JSONValue.decode(original.json.encoded()))
        #expect(again.json == original.json)
        #expect(again.policies.map(\.id).sorted() == ["l1", "p1"])
    }

    @Test func jsonPolicyFormatMatchesCedarsShape() throws {
        let set = try PolicySet(parsing: #"permit(principal, action in [Action::"a"], resource) when { context.x like "a*" };"#)
        let expected = try JSONValue.decode(
            """
            {"staticPolicies": {"policy0": {"effect": "permit", "principal": {"op": "All"},
              "action": {"op": "in", "entity": {"type": "Action", "id": "a"}}, "resource": {"op": "All"},
              "conditions": [{"kind": "when", "body": {"like": {"left": {".": {"left": {"Var": "context"}, "attr": "x"}},
                "pattern": [{"Literal": "a"}, "Wildcard"]}}}]}},
             "templates": {}, "templateLinks": []}
            """)
        #expect(set.json == expected)
    }

    @Test(arguments: [
        #"{"staticPolicies": {"p": {"effect": "maybe"}}}"#,
        #"{"staticPolicies": {"p": {"effect": "permit", "principal": {"op": "All"}, "action": {"op": "All"}, "resource": {"op": "All"}, "conditions": [{"kind": "when", "body": {"nope": 1}}]}}}"#,
        #"{"staticPolicies": {"p": {"effect": "permit", "principal": {"op": "==", "slot": "?principal"}, "action": {"op": "All"}, "resource": {"op": "All"}}}}"#,
        #"{"templateLinks": [{"templateId": "none", "newId": "x", "values": {}}]}"#,
    ])
    func malformedJSONPoliciesAreRejected(json: String) {
        #expect(throws: CedarError.self) { try PolicySet(json: try JSONValue.decode(json)) }
    }
}

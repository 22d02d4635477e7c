import Cedar
import Testing

@Suite struct ParserTests {
    @Test func policiesGetPositionalIDsUnlessAnnotated() throws {
        let set = try PolicySet(
            parsing: """
                permit(principal, action, resource);
                @id("named") forbid(principal, action, resource);
                permit(principal, action, resource);
                """)
        #expect(set.policies.map(\.id) == ["policy0", "named", "policy2"])
    }

    @Test func scopeConstraintsOfEveryKind() throws {
        let policy = try #require(
            try PolicySet(
                parsing: """
                    forbid(principal is NS::User in NS::Group::"g", action in [Action::"a", NS::Action::"b"],
                           resource is Photo);
                    """
            ).policies.first)
        #expect(policy.effect == .forbid)
        #expect(policy.principal == .isIn("NS::User", .entity(EntityUID("NS::Group", "g"))))
        #expect(policy.action == .inSet([EntityUID("Action", "a"), EntityUID("NS::Action", "b")]))
        #expect(policy.resource == .is("Photo"))
    }

    @Test func annotationsKeepTheirValuesAndBareOnesAreEmpty() throws {
        let policy = try #require(try PolicySet(parsing: #"@approval("dual") @audit permit(principal, action, resource);"#).policies.first)
        #expect(policy.annotation("approval") == "dual")
        #expect(policy.annotation("audit") == "")
    }

    @Test func nestedHasExpandsIntoAChainOfTests() throws {
        let expr = try Expr(parsing: "principal has a.b")
        #expect(expr == .and(.hasAttribute(.variable(.principal), "a"), .hasAttribute(.getAttribute(.variable(.principal), "a"), "b")))
    }

    @Test func negativeLiteralsAndMinusBeforeAMemberAccess() throws {
        #expect(try Expr(parsing: "-9223372036854775808") == .value(.long(Int64.min)))
        #expect(try Expr(parsing: "--3") == .negate(.value(.long(-3))))
        #expect(try Expr(parsing: "-(4)") == .negate(.value(.long(4))))
        #expect(try Expr(parsing: "-1.isEmpty()") == .negate(.isEmpty(.value(.long(1)))))
    }

    @Test func stringEscapesAndPatterns() throws {
        #expect(try Expr(parsing: #""a\n\t\"\\\u{1F600}""#) == .value(.string("a\n\t\"\\\u{1F600}")))
        guard case .like(_, let pattern) = try Expr(parsing: #"context.s like "a*\*b""#) else {
            Issue.record("not a like expression")
            return
        }
        #expect(pattern.elements == [.literal("a"), .wildcard, .literal("*"), .literal("b")])
        #expect(pattern.matches("axyz*b"))
        #expect(!pattern.matches("axyzb"))
    }

    @Test(arguments: [
        ("permit(principal, action, resource)", 1, 36, "`;`"),
        ("permit(principal, action, resource) when { 1 + };", 1, 48, "expected an expression"),
        ("permit(principal,\n  action == User::\"x\", resource);", 2, 13, "action entity"),
        ("permit(principal, action, resource) when { 9223372036854775808 };", 1, 44, "64 bits"),
        ("permit(principal, action, resource) when { \"a\\q\" };", 1, 44, "invalid escape"),
        ("permit(principal, action, resource) when { {a: 1, a: 2} };", 1, 51, "duplicate key"),
        ("permit(principal, action, resource) when { !!!!!true };", 1, 44, "too many unary"),
        ("permit(principal, action, resource) when { context.if };", 1, 52, "reserved"),
        ("permit(principal == ?resource, action, resource);", 1, 21, "?principal"),
        ("permit(principal, action, resource) when { foo(1) };", 1, 44, "unknown function"),
        ("permit(principal, action, resource) when { a == 1 };", 1, 44, "unknown variable"),
        ("permit(principal, action, resource) when { \"abc };", 1, 44, "unterminated"),
        ("@id(\"a\") @id(\"b\") permit(principal, action, resource);", 1, 10, "duplicate annotation"),
        ("permit(principal, action, resource) when { 1.lessThan() };", 1, 46, "argument"),
    ])
    func errorsPointToLineAndColumn(text: String, line: Int, column: Int, fragment: String) {
        do {
            _ = try PolicySet(parsing: text)
            Issue.record("expected a parse error for \(text)")
        } catch {
            #expect(error.code == .parse)
            #expect(error.location?.line == line, "\(error)")
            #expect(error.location?.column == column, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }

    @Test func deeplyNestedInputIsRejectedNotACrash() {
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(throws: CedarError.self) { try Expr(parsing: deep) }
        let deepSet = String(repeating: "[", count: 100_000)
        #expect(throws: CedarError.self) { try Expr(parsing: deepSet) }
    }

    @Test func templatesLinkIntoConcretePolicies() throws {
        var set = try PolicySet(parsing: "permit(principal == ?principal, action, resource in ?resource);")
        #expect(set.templates.count == 1 && set.policies.isEmpty)
        let linked = try set.link(
            template: "policy0", as: "link1",
            values: [.principal: EntityUID("User", "alice"), .resource: EntityUID("Folder", "f")])
        #expect(linked.principal == .equal(.entity(EntityUID("User", "alice"))))
        #expect(set.policies.map(\.id) == ["link1"])
        #expect(throws: CedarError.link("")) {
            try set.link(template: "policy0", as: "link2", values: [.principal: EntityUID("User", "bob")])
        }
        #expect(throws: CedarError.link("")) {
            try set.link(template: "policy0", as: "link1", values: [.principal: EntityUID("User", "bob"), .resource: EntityUID("F", "x")])
        }
    }
}

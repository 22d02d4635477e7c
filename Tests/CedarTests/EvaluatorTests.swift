import Cedar
import Testing

/// Expression semantics, each checked against a tiny store: alice (in group admins) with attributes.
@Suite struct EvaluatorTests {
    static let entities: Entities = {
        let alice = Entity(
            uid: EntityUID("User", "alice"),
            attributes: ["age": .long(30), "name": .string("Alice"), "address": .record(["city": .string("Paris")])],
            parents: [EntityUID("Group", "admins")], tags: ["role": .string("owner")])
        let admins = Entity(uid: EntityUID("Group", "admins"), parents: [EntityUID("Group", "all")])
        return try! Entities([alice, admins])
    }()

    static func evaluate(_ text: String) throws(CedarError) -> Value {
        let request = Request(
            principal: EntityUID("User", "alice"), action: EntityUID("Action", "view"),
            resource: EntityUID("Photo", "p"), context: ["n": .long(5), "s": .string("hello"), "flags": .set([.long(1), .long(2)])])
        return try Evaluator(request: request, entities: entities).evaluate(try Expr(parsing: text))
    }

    @Test(arguments: [
        ("1 + 2 * 3", Value.long(7)),
        ("-9223372036854775807 - 1", .long(Int64.min)),
        ("principal in Group::\"all\"", .bool(true)),
        ("principal in [Group::\"x\", Group::\"admins\"]", .bool(true)),
        ("resource in Group::\"all\"", .bool(false)),
        ("User::\"ghost\" in User::\"ghost\"", .bool(true)),
        ("principal has address.city", .bool(true)),
        ("principal has address.zip", .bool(false)),
        ("User::\"ghost\" has name", .bool(false)),
        ("principal.address.city == \"Paris\"", .bool(true)),
        ("principal[\"name\"] like \"A*e\"", .bool(true)),
        ("\"a*b\" like \"a\\*b\"", .bool(true)),
        ("\"ab\" like \"a\\*b\"", .bool(false)),
        ("[1, 2] == [2, 1, 1]", .bool(true)),
        ("{a: 1, b: [true]} == {b: [true], a: 1}", .bool(true)),
        ("1 == \"1\"", .bool(false)),
        ("User::\"a\" == Group::\"a\"", .bool(false)),
        ("context.flags.containsAll([2])", .bool(true)),
        ("context.flags.containsAny([3, 4])", .bool(false)),
        ("[].isEmpty()", .bool(true)),
        ("principal is User in Group::\"admins\"", .bool(true)),
        ("principal is Group", .bool(false)),
        ("if context.n > 3 then \"big\" else \"small\"", .string("big")),
        ("false && (1 + \"x\")", .bool(false)),
        ("true || 1", .bool(true)),
        ("principal.hasTag(\"role\") && principal.getTag(\"role\") == \"owner\"", .bool(true)),
        ("User::\"ghost\".hasTag(\"role\")", .bool(false)),
        ("decimal(\"1.5\").lessThan(decimal(\"1.5001\"))", .bool(true)),
        ("decimal(\"-0.0001\").lessThan(decimal(\"0.0\"))", .bool(true)),
        ("ip(\"192.168.1.7\").isInRange(ip(\"192.168.0.0/16\"))", .bool(true)),
        ("ip(\"::1\").isLoopback() && ip(\"ff02::1\").isMulticast() && ip(\"::1\").isIpv6()", .bool(true)),
        ("ip(\"127.0.0.0/8\").isLoopback() && !ip(\"127.0.0.0/7\").isLoopback()", .bool(true)),
        ("ip(\"10.0.0.1\") == ip(\"10.0.0.1/32\")", .bool(true)),
        ("datetime(\"2024-06-01T08:00:00+0200\") == datetime(\"2024-06-01T06:00:00Z\")", .bool(true)),
        ("datetime(\"2024-01-01\").offset(duration(\"1d2h\")) > datetime(\"2024-01-02T01:59:59.999Z\")", .bool(true)),
        ("datetime(\"1969-12-31T23:59:59.999Z\").toDate() == datetime(\"1969-12-31\")", .bool(true)),
        ("datetime(\"1969-12-31T23:59:59.999Z\").toTime().toMilliseconds()", .long(86_399_999)),
        ("datetime(\"2024-03-01\").durationSince(datetime(\"2024-02-28\")).toDays()", .long(2)),
        ("duration(\"-1d2h3m4s5ms\").toMilliseconds()", .long(-93_784_005)),
        ("duration(\"90m\").toHours()", .long(1)),
    ])
    func evaluates(text: String, expected: Value) throws {
        #expect(try Self.evaluate(text) == expected)
    }

    @Test(arguments: [
        "9223372036854775807 + 1",
        "-9223372036854775807 - 2",
        "4611686018427387904 * 2",
        "-(-9223372036854775807 - 1)",
        "principal.nosuch",
        "User::\"ghost\".name",
        "{a: 1}.b",
        "1 + \"x\"",
        "1 < \"2\"",
        "\"a\" < \"b\"",
        "if 1 then 2 else 3",
        "!1",
        "1 in Group::\"all\"",
        "principal in [1]",
        "principal.getTag(\"nosuch\")",
        "User::\"ghost\".getTag(\"role\")",
        "principal.hasTag(1)",
        "decimal(\"1.23456\")",
        "decimal(\"922337203685477.5808\")",
        "ip(\"01.2.3.4\")",
        "ip(\"1::2::3\")",
        "ip(\"10.0.0.0/33\")",
        "datetime(\"2024-02-30\")",
        "datetime(\"2024-01-01T10:00:60Z\")",
        "duration(\"1h1d\")",
        "duration(\"\")",
        "datetime(\"9999-12-31\").offset(duration(\"106751991167d\")).offset(duration(\"106751991167d\"))",
        "decimal(\"1.0\") < decimal(\"2.0\")",
        "[1].contains",
    ])
    func errs(text: String) {
        #expect(throws: CedarError.self) { _ = try Self.evaluate(text) }
    }
}

/// Cedar compares strings code point by code point; canonically equivalent but different strings
/// (composed "é" and "e" + combining accent) are different values, entity ids and attribute names.
@Suite struct ExactStringTests {
    static let composed = "\u{E9}"
    static let decomposed = "e\u{301}"

    @Test func equivalentStringsAreDifferentValues() {
        #expect(Value.string(Self.composed) != Value.string(Self.decomposed))
        #expect(Set([Value.string(Self.composed), .string(Self.decomposed)]).count == 2)
        #expect(EntityUID("User", Self.composed) != EntityUID("User", Self.decomposed))
        #expect(Value.record([Self.composed: .long(1)]) != Value.record([Self.decomposed: .long(1)]))
    }

    @Test func anEquivalentEntityIDDoesNotMatchAPolicy() throws {
        let policies = try PolicySet(parsing: "permit(principal == User::\"\\u{e9}\", action, resource);")
        let request = Request(
            principal: EntityUID("User", Self.decomposed), action: EntityUID("Action", "a"), resource: EntityUID("R", "r"))
        #expect(Authorizer().isAuthorized(request, policies: policies, entities: Entities()).decision == .deny)
    }

    @Test func anEquivalentAttributeNameIsNotFound() throws {
        let request = Request(
            principal: EntityUID("User", "u"), action: EntityUID("Action", "a"), resource: EntityUID("R", "r"),
            context: [Self.decomposed: .bool(true)])
        let evaluator = Evaluator(request: request, entities: Entities())
        #expect(try evaluator.evaluate(try Expr(parsing: "context has \"\\u{e9}\"")) == .bool(false))
        #expect(throws: CedarError.self) { try evaluator.evaluate(try Expr(parsing: "context[\"\\u{e9}\"]")) }
    }
}

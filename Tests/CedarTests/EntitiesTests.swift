import Cedar
import Testing

@Suite struct EntitiesTests {
    @Test func ancestorsAreTransitive() throws {
        let store = try Entities(
            json: try JSONValue.decode(
                """
                [{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": [{"type": "Team", "id": "t"}]},
                 {"uid": {"__entity": {"type": "Team", "id": "t"}}, "attrs": {}, "parents": [{"type": "Org", "id": "o"}]}]
                """))
        #expect(store.isDescendant(EntityUID("User", "a"), of: EntityUID("Org", "o")))
        #expect(!store.isDescendant(EntityUID("Org", "o"), of: EntityUID("User", "a")))
    }

    @Test func cyclesAndDuplicatesAreRejected() throws {
        let cycle = """
            [{"uid": {"type": "G", "id": "a"}, "parents": [{"type": "G", "id": "b"}]},
             {"uid": {"type": "G", "id": "b"}, "parents": [{"type": "G", "id": "c"}]},
             {"uid": {"type": "G", "id": "c"}, "parents": [{"type": "G", "id": "a"}]}]
            """
        #expect(throws: CedarError.entity("")) { try Entities(json: try JSONValue.decode(cycle)) }
        let selfLoop = #"[{"uid": {"type": "G", "id": "a"}, "parents": [{"type": "G", "id": "a"}]}]"#
        #expect(throws: CedarError.entity("")) { try Entities(json: try JSONValue.decode(selfLoop)) }
        let duplicate = #"[{"uid": {"type": "G", "id": "a"}}, {"uid": {"type": "G", "id": "a"}}]"#
        #expect(throws: CedarError.entity("")) { try Entities(json: try JSONValue.decode(duplicate)) }
    }

    @Test func escapesAndPlainValues() throws {
        let entity = try Entity(
            json: try JSONValue.decode(
                """
                {"uid": {"type": "U", "id": "x"}, "attrs": {
                  "boss": {"__entity": {"type": "U", "id": "y"}},
                  "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}},
                  "nested": {"n": 1, "s": ["a", "a"]}
                }, "tags": {"t": true}}
                """))
        #expect(entity.attributes["boss"] == .entity(EntityUID("U", "y")))
        #expect(entity.attributes["ip"] == .ipaddr(IPAddr(parsing: "10.0.0.1")!))
        #expect(entity.attributes["nested"] == .record(["n": .long(1), "s": .set([.string("a")])]))
        #expect(entity.tags["t"] == .bool(true))
    }

    @Test(arguments: [
        #"[{"uid": {"type": "U"}}]"#,
        #"[{"uid": {"type": "U", "id": "x"}, "attrs": {"a": 1.5}}]"#,
        #"[{"uid": {"type": "U", "id": "x"}, "attrs": {"a": null}}]"#,
        #"[{"uid": {"type": "U", "id": "x"}, "attrs": {"a": {"__extn": {"fn": "ip", "arg": "nope"}}}}]"#,
        #"[{"uid": {"type": "U", "id": "x"}, "parents": {"type": "U", "id": "y"}}]"#,
        #"{"uid": {"type": "U", "id": "x"}}"#,
        #"[1"#,
    ])
    func malformedEntitiesGetClearErrors(json: String) {
        #expect(throws: CedarError.self) { try Entities(json: try JSONValue.decode(json)) }
    }

    static let schema = try! Schema(
        cedarSchema: """
            namespace App {
              type Address = { city: String, zip?: String };
              entity Team;
              entity User in [Team] = { age: Long, address: Address, ip: ipaddr, boss?: User } tags String;
              entity Color enum ["red", "green"];
              action view appliesTo { principal: [User], resource: [Color], context: { score: decimal } };
              action viewAll in [view];
            }
            """)

    @Test func schemaDirectsParsingOfStringsAndEntityReferences() throws {
        let store = try Entities(
            json: try JSONValue.decode(
                """
                [{"uid": {"type": "App::User", "id": "a"}, "parents": [{"type": "App::Team", "id": "t"}],
                  "attrs": {"age": 3, "address": {"city": "Oslo"}, "ip": "10.1.2.3", "boss": {"type": "App::User", "id": "b"}},
                  "tags": {"k": "v"}}]
                """), schema: Self.schema)
        let user = try #require(store[EntityUID("App::User", "a")])
        #expect(user.attributes["ip"] == .ipaddr(IPAddr(parsing: "10.1.2.3")!))
        #expect(user.attributes["boss"] == .entity(EntityUID("App::User", "b")))
        // Action entities come from the schema, with their groups.
        #expect(store.isDescendant(EntityUID("App::Action", "viewAll"), of: EntityUID("App::Action", "view")))
    }

    @Test(arguments: [
        #"[{"uid": {"type": "App::User", "id": "a"}, "attrs": {"age": "3", "address": {"city": "x"}, "ip": "1.2.3.4"}}]"#,
        #"[{"uid": {"type": "App::User", "id": "a"}, "attrs": {"address": {"city": "x"}, "ip": "1.2.3.4"}}]"#,
        #"[{"uid": {"type": "App::User", "id": "a"}, "attrs": {"age": 1, "extra": 1, "address": {"city": "x"}, "ip": "1.2.3.4"}}]"#,
        #"[{"uid": {"type": "App::User", "id": "a"}, "attrs": {"age": 1, "address": {"city": "x"}, "ip": "1.2.3"}}]"#,
        #"[{"uid": {"type": "App::Nope", "id": "a"}}]"#,
        #"[{"uid": {"type": "App::Color", "id": "blue"}}]"#,
        #"[{"uid": {"type": "App::Team", "id": "t"}, "parents": [{"type": "App::User", "id": "a"}]}]"#,
        #"[{"uid": {"type": "App::Team", "id": "t"}, "tags": {"a": "b"}}]"#,
        #"[{"uid": {"type": "App::Action", "id": "view"}, "parents": [{"type": "App::Action", "id": "viewAll"}]}]"#,
    ])
    func entitiesThatContradictTheSchemaAreRejected(json: String) {
        #expect(throws: CedarError.self) { try Entities(json: try JSONValue.decode(json), schema: Self.schema) }
    }

    @Test func requestsAreCheckedAgainstTheSchema() throws {
        func request(_ principal: String, _ resource: String, _ context: String) throws(CedarError) -> Request {
            try Request(
                json: try JSONValue.decode(
                    """
                    {"principal": \(principal), "action": {"type": "App::Action", "id": "view"},
                     "resource": \(resource), "context": \(context)}
                    """), schema: Self.schema)
        }
        let user = #"{"type": "App::User", "id": "a"}"#
        let red = #"{"type": "App::Color", "id": "red"}"#
        let ok = try request(user, red, #"{"score": "0.5"}"#)
        #expect(ok.context["score"] == .decimal(CedarDecimal(parsing: "0.5")!))
        #expect(throws: CedarError.self) { try request(red, red, #"{"score": "0.5"}"#) }
        #expect(throws: CedarError.self) { try request(user, #"{"type": "App::Color", "id": "blue"}"#, #"{"score": "0.5"}"#) }
        #expect(throws: CedarError.self) { try request(user, red, #"{}"#) }
        #expect(throws: CedarError.self) { try request(user, red, #"{"score": 5}"#) }
    }
}

import Cedar
import Testing

@Suite struct SchemaTests {
    @Test func cedarSyntaxWithNamespacesCommonTypesAndActionGroups() throws {
        let schema = try Schema(
            cedarSchema: """
                type Shared = { tag: String };
                namespace Photos {
                  type Meta = { size: Long, "dash-name"?: Shared };
                  entity Account;
                  entity Album in [Account] = { meta: Meta, owners: Set<User> };
                  entity User, Admin in [Account] tags Set<String>;
                  action "read", list appliesTo { principal: [User, Admin], resource: Album, context: Meta };
                  action view in ["read"] appliesTo { principal: User, resource: [Album] };
                }
                """)
        let album = try #require(schema.entityTypes["Photos::Album"])
        #expect(album.memberOfTypes == ["Photos::Account"])
        #expect(album.shape.attributes["owners"]?.type == .set(.entity("Photos::User")))
        guard case .record(let meta)? = album.shape.attributes["meta"]?.type else {
            Issue.record("meta should be a record")
            return
        }
        #expect(meta.attributes["dash-name"]?.isRequired == false)
        #expect(schema.entityTypes["Photos::User"]?.tags == .set(.string))
        let view = try #require(schema.actions[EntityUID("Photos::Action", "view")])
        #expect(view.memberOf == [EntityUID("Photos::Action", "read")])
        #expect(schema.actions[EntityUID("Photos::Action", "list")]?.principalTypes == ["Photos::User", "Photos::Admin"])
    }

    @Test func jsonFormatReadsTheSameSchema() throws {
        let text = """
            {"": {"entityTypes": {
                "User": {"memberOfTypes": ["Team"], "shape": {"type": "Record", "attributes": {
                   "age": {"type": "Long"}, "ip": {"type": "Extension", "name": "ipaddr"},
                   "manager": {"type": "Entity", "name": "User", "required": false}}}},
                "Team": {}},
              "actions": {"view": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Team"],
                                   "context": {"type": "Record", "attributes": {}}}},
                          "edit": {"memberOf": [{"id": "view"}]}}}}
            """
        let fromJSON = try Schema(json: try JSONValue.decode(text))
        let fromText = try Schema(
            cedarSchema: """
                entity Team;
                entity User in [Team] = { age: Long, ip: ipaddr, manager?: User };
                action view appliesTo { principal: [User], resource: [Team] };
                action edit in [view];
                """)
        #expect(fromJSON == fromText)
    }

    @Test(arguments: [
        "entity User in [Nope];",
        "entity User = { a: Nope };",
        "entity User; entity User;",
        "entity User; action view appliesTo { principal: [Ghost], resource: [User] };",
        "action a in [b];",
        "action a in [b]; action b in [a];",
        "type T = U; type U = T; entity E = { x: T };",
        "type Long = String;",
        "entity User = { a: Long, a: String };",
        "entity User { a: Long }",
        "namespace A { entity X; ",
    ])
    func badSchemasAreRejected(text: String) {
        #expect(throws: CedarError.self) { try Schema(cedarSchema: text) }
    }

    @Test func deeplyNestedTypesAreRejectedNotACrash() {
        let sets = "entity E = { a: " + String(repeating: "Set<", count: 100_000)
        #expect(throws: CedarError.self) { try Schema(cedarSchema: sets) }
        let records = "entity E = " + String(repeating: "{ a: ", count: 100_000)
        #expect(throws: CedarError.self) { try Schema(cedarSchema: records) }
    }
}

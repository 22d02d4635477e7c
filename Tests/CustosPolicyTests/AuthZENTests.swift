import Cedar
import CustosCore
import CustosPolicy
import Foundation
import PropertyBased
import Testing

/// The AuthZEN mapping: parsing, defaults of batches, stored attributes winning over request
/// properties, schema-checked types, clear errors.
@Suite struct AuthZENTests {
    static let schema = try! Schema(cedarSchema: """
        entity user = { roles: Set<String> };
        entity doc = { owner?: String };
        action read, write appliesTo { principal: [user], resource: [doc] };
        """)

    static func pdp(_ policies: String) throws -> AuthZENPDP {
        let service = try DecisionService(configured: [
            Entity(uid: EntityUID("user", "alice"), attributes: ["roles": .set([.string("editor")])]),
            Entity(uid: EntityUID("user", "bob"), attributes: ["roles": .set([.string("viewer")])]),
        ])
        service.activate(version: 3, policies: try PolicySet(parsing: policies))
        return AuthZENPDP(service: service, schema: schema, timeZone: .gmt)
    }

    func batch(_ text: String) throws -> AuthZENBatch { try AuthZENBatch(json: try JSONValue.decode(text)) }

    @Test func storedAttributesWinOverRequestProperties() throws {
        let pdp = try Self.pdp(#"@id("w") permit (principal, action == Action::"write", resource) when { principal.roles.contains("editor") };"#)
        // Bob claims to be an editor in the request; the store says viewer.
        let claimed = try batch(#"{"subject": {"type": "user", "id": "bob", "properties": {"roles": ["editor"]}}, "action": {"name": "write"}, "resource": {"type": "doc", "id": "1"}}"#)
        #expect(try pdp.decide(claimed, at: Date()).first?.decision?.outcome == .deny)
        // An unknown subject's properties are its attributes.
        let stranger = try batch(#"{"subject": {"type": "user", "id": "carol", "properties": {"roles": ["editor"]}}, "action": {"name": "write"}, "resource": {"type": "doc", "id": "1"}}"#)
        #expect(try pdp.decide(stranger, at: Date()).first?.decision?.outcome == .allow)
    }

    @Test func draftZeroPropertiesBesideTypeAndIdAreRead() throws {
        let pdp = try Self.pdp(#"@id("own") permit (principal, action == Action::"write", resource) when { resource.owner == "alice" };"#)
        let request = try batch(#"{"subject": {"type": "user", "id": "alice"}, "action": {"name": "write"}, "resource": {"type": "doc", "id": "1", "owner": "alice"}}"#)
        #expect(try pdp.decide(request, at: Date()).first?.decision?.outcome == .allow)
    }

    @Test func batchItemsTakeTopLevelDefaultsAndStopAsAsked() throws {
        let pdp = try Self.pdp(#"@id("a") permit (principal == user::"alice", action, resource);"#)
        let text = #"""
            {"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"},
             "options": {"evaluations_semantic": "SEMANTIC"},
             "evaluations": [{}, {"subject": {"type": "user", "id": "bob"}}, {"action": {"name": "write"}}, {"resource": {"type": "doc", "id": "2"}}]}
            """#
        func outcomes(_ semantic: String) throws -> [Bool] {
            try pdp.decide(try batch(text.replacingOccurrences(of: "SEMANTIC", with: semantic)), at: Date())
                .map { $0.decision?.isAllowed ?? false }
        }
        #expect(try outcomes("execute_all") == [true, false, true, true])
        #expect(try outcomes("deny_on_first_deny") == [true, false])
        #expect(try outcomes("permit_on_first_permit") == [true])
    }

    /// A large `execute_all` batch is decided on all cores; its outcomes are those of deciding each item
    /// alone, in the items' order, errors included.
    @Test func aParallelBatchKeepsEveryOutcomeInOrder() throws {
        let pdp = try Self.pdp(#"@id("w") permit (principal, action == Action::"write", resource) when { principal.roles.contains("editor") };"#)
        var items: [String] = []
        for n in 0..<(AuthZENPDP.parallelBatchItems * 5 + 3) {
            let subject = ["alice", "bob", "carol"][n % 3]
            let type = n % 7 == 0 ? "robot" : "user"  // every 7th item cannot be decided: the schema has no robots
            let action = n % 2 == 0 ? "write" : "read"
            items.append(#"{"subject": {"type": "\#(type)", "id": "\#(subject)"}, "action": {"name": "\#(action)"}, "resource": {"type": "doc", "id": "d\#(n)"}}"#)
        }
        let text = #"{"evaluations": [\#(items.joined(separator: ", "))]}"#
        let outcomes = try pdp.decide(try batch(text), at: Date())
        #expect(outcomes.count == items.count)
        for (n, item) in items.enumerated() {
            let alone = try? pdp.decide(try batch(item), at: Date()).first
            #expect(outcomes[n].decision?.outcome == alone?.decision?.outcome, "item \(n)")
            #expect(outcomes[n].evaluation?.resource.id == "d\(n)", "item \(n)")
            #expect((outcomes[n].error != nil) == (n % 7 == 0), "item \(n)")
        }
    }

    @Test func aBatchItemThatCannotBeDecidedIsADenyWithItsError() throws {
        let pdp = try Self.pdp(#"permit (principal, action, resource);"#)
        let request = try batch(#"{"action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "evaluations": [{"subject": {"type": "user", "id": "a"}}, {}]}"#)
        let outcomes = try pdp.decide(request, at: Date())
        #expect(outcomes[0].decision?.isAllowed == true)
        #expect(outcomes[1].decision == nil)
        #expect(outcomes[1].error?.message.contains("evaluations[1].subject") == true)
        let rendered = AuthZENResponse.evaluations(outcomes, explain: false, policyVersion: 3).encoded()
        #expect(rendered.contains(#""status":400"#))
    }

    @Test(arguments: [
        (#"[]"#, "JSON object"),
        (#"{"action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}}"#, "`subject` is required"),
        (#"{"subject": {"type": "user"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}}"#, "`subject.id`"),
        (#"{"subject": {"type": 3, "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}}"#, "`subject.type`"),
        (#"{"subject": {"type": "user", "id": "a"}, "action": {}, "resource": {"type": "doc", "id": "1"}}"#, "`action.name`"),
        (#"{"subject": {"type": "user", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "context": []}"#, "`context`"),
        (#"{"subject": {"type": "user", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "options": {"evaluations_semantic": "all"}}"#, "evaluations_semantic"),
        (#"{"subject": {"type": "robot", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}}"#, "unknown entity type `robot`"),
        (#"{"subject": {"type": "user", "id": "a", "properties": {"x": 1.5}}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}}"#, "`subject.properties.x`"),
        (#"{"subject": {"type": "user", "id": "a"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "context": {"n": null}}"#, "`context.n`"),
    ])
    func malformedRequestsGetErrorsNamingTheField(body: String, expected: String) throws {
        let pdp = try Self.pdp(#"permit (principal, action, resource);"#)
        let error = #expect(throws: CustosError.self) { _ = try pdp.decide(try batch(body), at: Date()) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func searchEnumeratesKnownEntitiesAndPages() throws {
        let pdp = try Self.pdp(#"@id("r") permit (principal, action == Action::"read", resource);"#)
        let search = AuthZENSearch(pdp: pdp)
        let body = try JSONValue.decode(#"{"subject": {"type": "user"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "page": {"limit": 1}}"#)
        let first = try search.search(.subject, body: body, at: Date())
        #expect(first["results"] == .array([.object(["type": "user", "id": "alice"])]))
        #expect(first["page"]?["next_token"] == .string("1"))
        let rest = try JSONValue.decode(#"{"subject": {"type": "user"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "1"}, "page": {"token": "1"}}"#)
        #expect(try search.search(.subject, body: rest, at: Date())["results"] == .array([.object(["type": "user", "id": "bob"])]))
        let actions = try JSONValue.decode(#"{"subject": {"type": "user", "id": "bob"}, "resource": {"type": "doc", "id": "1"}}"#)
        #expect(try search.search(.action, body: actions, at: Date())["results"] == .array([.object(["name": "read"])]))
    }

    /// Arbitrary JSON never crashes the parser or the decision: it is decided or refused as invalid.
    @Test func arbitraryRequestsAreDecidedOrRefused() async throws {
        let pdp = try Self.pdp(#"permit (principal, action, resource) when { context has x && context.x == 1 };"#)
        let leaves: [String] = [#""user""#, #""doc""#, #""read""#, "1", "1.5", "null", "true", "[]", "{}", #""""#]
        let keys = ["subject", "action", "resource", "context", "type", "id", "name", "properties", "evaluations", "options", "x"]
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int.max)) { seed in
            var generator = SplitMix(seed: UInt64(seed))
            func value(_ depth: Int) -> String {
                switch generator.next() % (depth > 3 ? 1 : 3) {
                case 0: return leaves[Int(generator.next() % UInt64(leaves.count))]
                case 1: return "[" + (0..<Int(generator.next() % 3)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
                default:
                    let count = Int(generator.next() % 5)
                    let members = Set((0..<count).map { _ in keys[Int(generator.next() % UInt64(keys.count))] })
                    return "{" + members.map { "\"\($0)\": \(value(depth + 1))" }.joined(separator: ",") + "}"
                }
            }
            let text = value(0)
            do {
                _ = try pdp.decide(try AuthZENBatch(json: try JSONValue.decode(text)), at: Date())
            } catch let error as CustosError {
                #expect(error.code == .invalidRequest, "\(text)")
            } catch {
                Issue.record("unexpected error \(error) for \(text)")
            }
        }
    }
}

/// A small deterministic generator for the property test's shapes.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@testable import Cedar
import PropertyBased
import Testing

/// The scope index must never change a response: with it and without it, every request gets the
/// same decision, reasons and errors.
@Suite struct ScopeIndexTests {
    static let entities: Entities = {
        var list: [Entity] = []
        for g in 0..<3 { list.append(Entity(uid: EntityUID("Group", "g\(g)"), parents: g > 0 ? [EntityUID("Group", "g0")] : [])) }
        for u in 0..<4 { list.append(Entity(uid: EntityUID("User", "u\(u)"), attributes: ["n": .long(Int64(u))], parents: [EntityUID("Group", "g\(u % 3)")])) }
        for f in 0..<2 { list.append(Entity(uid: EntityUID("Folder", "f\(f)"))) }
        for d in 0..<4 { list.append(Entity(uid: EntityUID("Doc", "d\(d)"), parents: [EntityUID("Folder", "f\(d % 2)")])) }
        list.append(Entity(uid: EntityUID("Action", "read"), parents: [EntityUID("Action", "all")]))
        list.append(Entity(uid: EntityUID("Action", "write"), parents: [EntityUID("Action", "all")]))
        return try! Entities(list)
    }()

    static let principals = ["principal", "principal == User::\"u1\"", "principal in Group::\"g0\"", "principal in Group::\"g2\"",
                             "principal is User", "principal is Group", "principal is User in Group::\"g1\"", "principal == User::\"ghost\""]
    static let actions = ["action", "action == Action::\"read\"", "action in Action::\"all\"", "action in [Action::\"read\", Action::\"write\"]",
                          "action in [Action::\"write\", Action::\"write\"]", "action in []"]
    static let resources = ["resource", "resource == Doc::\"d1\"", "resource in Folder::\"f0\"", "resource is Doc", "resource is Folder in Folder::\"f1\""]
    static let conditions = ["", " when { principal.n > 1 }", " unless { context.flag }", " when { resource.missing }"]

    @Test func theIndexNeverChangesAResponse() async {
        let policy = zip(
            Gen.int(in: 0..<2), Gen.int(in: 0..<Self.principals.count), Gen.int(in: 0..<Self.actions.count),
            Gen.int(in: 0..<Self.resources.count), Gen.int(in: 0..<Self.conditions.count))
        let request = zip(Gen.int(in: 0..<5), Gen.int(in: 0..<3), Gen.int(in: 0..<6), Gen.bool)
        await propertyCheck(count: 400, input: policy.array(of: 1...12), request.array(of: 1...10)) { specs, requests in
            let text = specs.map { effect, p, a, r, c in
                "\(effect == 0 ? "permit" : "forbid")(\(Self.principals[p]), \(Self.actions[a]), \(Self.resources[r]))\(Self.conditions[c]);"
            }.joined(separator: "\n")
            guard let set = try? PolicySet(parsing: text) else {
                Issue.record("generated policies do not parse: \(text)")
                return
            }
            for (p, a, r, flag) in requests {
                let principal = p < 4 ? EntityUID("User", "u\(p)") : EntityUID("Group", "g1")
                let action = EntityUID("Action", ["read", "write", "all"][a])
                let resource = r < 4 ? EntityUID("Doc", "d\(r)") : EntityUID("Folder", "f\(r - 4)")
                let req = Request(principal: principal, action: action, resource: resource, context: ["flag": .bool(flag)])
                let authorizer = Authorizer()
                let indexed = authorizer.isAuthorized(req, policies: set, entities: Self.entities)
                let full = authorizer.isAuthorizedWithoutIndex(req, policies: set, entities: Self.entities)
                #expect(indexed == full, "\(text)\n\(req)")
            }
        }
    }
}

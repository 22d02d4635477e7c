@testable import Cedar
import PropertyBased
import Testing

/// The digest-probed table answers as a dictionary would, through growth and replacement, and
/// entities read through it answer as before for any hierarchy.
@Suite struct UIDTableTests {
    @Test func answersAsADictionaryWould() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...Int.max)) { seed in
            var state = UInt64(truncatingIfNeeded: seed) | 1
            func next(_ bound: Int) -> Int {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return Int(state % UInt64(bound))
            }
            var table = UIDTable<Int>(minimumCapacity: next(4))
            var dictionary: [EntityUID: Int] = [:]
            // Few types and short ids, so keys repeat and equal-looking strings ("e\u{301}" and "é",
            // different in Cedar) are both present.
            let types = ["User", "Team", "NS::User"]
            let ids = ["a", "b", "é", "e\u{301}", "", "agent-7", "agent-7/run"]
            for _ in 0..<next(300) {
                let uid = EntityUID(types[next(types.count)], ids[next(ids.count)] + String(next(40)))
                let value = next(1000)
                if next(3) == 0 {
                    table.update(uid, initial: 0) { $0 += value }
                    dictionary[uid, default: 0] += value
                } else {
                    table.set(value, for: uid)
                    dictionary[uid] = value
                }
            }
            #expect(table.count == dictionary.count)
            for (uid, value) in dictionary { #expect(table[uid] == value) }
            #expect(table[EntityUID("Absent", "x")] == nil)
            #expect(table[EntityUID("User", "e\u{301}0")] == dictionary[EntityUID("User", "e\u{301}0")])
        }
    }

    @Test func storedAndOverlaidEntitiesAreFound() throws {
        let team = Entity(uid: EntityUID("Team", "t"), parents: [EntityUID("Org", "o")])
        let user = Entity(uid: EntityUID("User", "u"), attributes: ["n": .long(1)], parents: [team.uid])
        let store = try Entities([team, user])
        #expect(store[user.uid] == user)
        #expect(store[EntityUID("Org", "o")] == nil)  // a parent only, not an entity
        #expect(Set(store.ancestors(of: user.uid)) == [team.uid, EntityUID("Org", "o")])
        let visitor = Entity(uid: EntityUID("User", "v"), parents: [team.uid])
        let overlaid = store.overlaid(with: [visitor, Entity(uid: user.uid, attributes: ["n": .long(2)])])
        #expect(overlaid[visitor.uid] == visitor)
        #expect(overlaid[user.uid]?.attributes["n"] == .long(2))
        #expect(overlaid.isDescendant(visitor.uid, of: EntityUID("Org", "o")))
        #expect(!overlaid.isDescendant(user.uid, of: team.uid))  // the overlay's parents replace the stored ones
        #expect(store.isDescendant(user.uid, of: EntityUID("Org", "o")))
    }
}

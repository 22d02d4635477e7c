/// An entity: its uid, attributes, direct parents and tags.
public struct Entity: Hashable, Sendable {
    /// The fields, shared between copies until one is written (see ``Shared``).
    private var shared: Shared<Fields>

    private struct Fields: Hashable, Sendable {
        var uid: EntityUID
        var attributes: [String: Value]
        var parents: Set<EntityUID>
        var tags: [String: Value]
    }

    public var uid: EntityUID {
        get { shared.fields.uid }
        set { shared.update { $0.uid = newValue } }
    }
    public var attributes: [String: Value] {
        get { shared.fields.attributes }
        set { shared.update { $0.attributes = newValue } }
    }
    public var parents: Set<EntityUID> {
        get { shared.fields.parents }
        set { shared.update { $0.parents = newValue } }
    }
    public var tags: [String: Value] {
        get { shared.fields.tags }
        set { shared.update { $0.tags = newValue } }
    }

    public init(
        uid: EntityUID, attributes: [String: Value] = [:], parents: Set<EntityUID> = [], tags: [String: Value] = [:]
    ) {
        shared = Shared(Fields(uid: uid, attributes: attributes, parents: parents, tags: tags))
    }
}

/// The entities a request is evaluated against, with the transitive closure of `in` precomputed.
///
/// Loading rejects duplicate uids and cycles in the hierarchy. Parents need not be present
/// as entities themselves. Internally every uid gets a dense number, so the closure is computed
/// and queried on small sorted integer lists rather than on strings, and lookups go through a
/// ``UIDTable`` probed by the uids' digests.
public struct Entities: Sendable {
    /// The stored entities and their hierarchy, built once and shared by every copy: a request's
    /// overlaid copy retains one reference.
    private final class Store: Sendable {
        let entities: [EntityUID: Entity]
        /// A dense number for every entity and every parent named.
        let numbers: UIDTable<Int32>
        let uids: [EntityUID]
        /// The entity of each numbered uid (none for a parent that is not itself an entity).
        let numbered: [Entity?]
        /// Every ancestor (transitively) of each numbered uid, ascending.
        let ancestorNumbers: [[Int32]]

        init(
            entities: [EntityUID: Entity], numbers: UIDTable<Int32>, uids: [EntityUID], numbered: [Entity?],
            ancestorNumbers: [[Int32]]
        ) {
            self.entities = entities
            self.numbers = numbers
            self.uids = uids
            self.numbered = numbered
            self.ancestorNumbers = ancestorNumbers
        }
    }

    private let store: Store
    /// Request entities laid over the stored ones (see ``overlaid(with:)``).
    private var overlay = UIDTable<Entity>()

    public var entities: [EntityUID: Entity] { store.entities }

    public init() {
        store = Store(entities: [:], numbers: UIDTable(), uids: [], numbered: [], ancestorNumbers: [])
    }

    public init(_ list: [Entity]) throws(CedarError) {
        var map: [EntityUID: Entity] = [:]
        map.reserveCapacity(list.count)
        for entity in list {
            guard map.updateValue(entity, forKey: entity.uid) == nil else {
                throw .entity("duplicate entity \(entity.uid)")
            }
        }
        var numbers = UIDTable<Int32>(minimumCapacity: list.count)
        var uids: [EntityUID] = []
        uids.reserveCapacity(list.count)
        func number(_ uid: EntityUID) -> Int32 {
            if let n = numbers[uid] { return n }
            let n = Int32(uids.count)
            numbers.set(n, for: uid)
            uids.append(uid)
            return n
        }
        for entity in list { _ = number(entity.uid) }
        var parents = [[Int32]](repeating: [], count: uids.count)
        for entity in list where !entity.parents.isEmpty {
            let child = Int(number(entity.uid))
            let numbered = entity.parents.map(number)
            if parents.count < uids.count { parents += [[Int32]](repeating: [], count: uids.count - parents.count) }
            parents[child] = numbered
        }
        if parents.count < uids.count { parents += [[Int32]](repeating: [], count: uids.count - parents.count) }
        var numbered = [Entity?](repeating: nil, count: uids.count)
        for entity in list { numbered[Int(number(entity.uid))] = entity }
        store = Store(
            entities: map, numbers: numbers, uids: uids, numbered: numbered,
            ancestorNumbers: try Self.closure(parents: parents, uids: uids))
    }

    public subscript(uid: EntityUID) -> Entity? {
        if !overlay.isEmpty, let entity = overlay[uid] { return entity }
        guard let n = store.numbers[uid] else { return nil }
        return store.numbered[Int(n)]
    }

    /// The number of stored entities (request entities laid over them are not counted).
    public var count: Int { store.entities.count }

    /// These entities with `requestEntities` laid over them, for one request: an entity of the overlay
    /// replaces the stored entity of the same uid (attributes, tags and parents); its parents are looked up
    /// in the stored hierarchy. Nothing is copied, so this is cheap however many entities are stored.
    /// The overlay must not form cycles of its own: an overlay entity's parents are resolved in the stored
    /// entities only.
    public func overlaid(with requestEntities: [Entity]) -> Entities {
        var copy = self
        copy.overlay = UIDTable(minimumCapacity: requestEntities.count)
        for entity in requestEntities { copy.overlay.set(entity, for: entity.uid) }
        return copy
    }

    /// True when `descendant` is `ancestor` or lies below it in the hierarchy.
    @inline(__always)
    public func isDescendant(_ descendant: EntityUID, of ancestor: EntityUID) -> Bool {
        if descendant == ancestor { return true }
        if !overlay.isEmpty, let entity = overlay[descendant] {
            return entity.parents.contains { $0 == ancestor || isStoredDescendant($0, of: ancestor) }
        }
        return isStoredDescendant(descendant, of: ancestor)
    }

    @inline(__always)
    private func isStoredDescendant(_ descendant: EntityUID, of ancestor: EntityUID) -> Bool {
        guard let d = store.numbers[descendant], let a = store.numbers[ancestor] else { return false }
        return Self.contains(store.ancestorNumbers[Int(d)], a)
    }

    /// Binary search in an ascending list.
    @inline(__always)
    private static func contains(_ sorted: [Int32], _ number: Int32) -> Bool {
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == number
    }

    /// Every ancestor of `uid`, in no particular order (empty when it has none or is unknown).
    public func ancestors(of uid: EntityUID) -> [EntityUID] {
        if !overlay.isEmpty, let entity = overlay[uid] {
            var all = Set(entity.parents)
            for parent in entity.parents { all.formUnion(storedAncestors(of: parent)) }
            return Array(all)
        }
        return storedAncestors(of: uid)
    }

    /// Calls `body` with every ancestor of `uid` (as ``ancestors(of:)``, without building an array).
    @inline(__always)
    func forEachAncestor(of uid: EntityUID, _ body: (EntityUID) -> Void) {
        if !overlay.isEmpty, overlay[uid] != nil {
            for ancestor in ancestors(of: uid) { body(ancestor) }
            return
        }
        guard let n = store.numbers[uid] else { return }
        for number in store.ancestorNumbers[Int(n)] { body(store.uids[Int(number)]) }
    }

    private func storedAncestors(of uid: EntityUID) -> [EntityUID] {
        guard let n = store.numbers[uid] else { return [] }
        return store.ancestorNumbers[Int(n)].map { store.uids[Int($0)] }
    }

    /// Depth-first search with memoisation over numbered uids, rejecting cycles. Iterative, so deep
    /// hierarchies cannot exhaust the stack.
    private static func closure(parents: [[Int32]], uids: [EntityUID]) throws(CedarError) -> [[Int32]] {
        let count = parents.count
        var result = [Set<Int32>](repeating: [], count: count)
        // 0: not visited, 1: on the current path, 2: done.
        var state = [UInt8](repeating: 0, count: count)
        var stack: [(node: Int32, next: Int)] = []
        for root in 0..<count where state[root] == 0 {
            if parents[root].isEmpty {
                state[root] = 2
                continue
            }
            state[root] = 1
            stack.append((Int32(root), 0))
            while let (node, next) = stack.last {
                let nodeParents = parents[Int(node)]
                if next < nodeParents.count {
                    stack[stack.count - 1].next += 1
                    let parent = Int(nodeParents[next])
                    switch state[parent] {
                    case 1: throw .entity("the entity hierarchy has a cycle through \(uids[parent])")
                    case 0:
                        if parents[parent].isEmpty {
                            state[parent] = 2
                        } else {
                            state[parent] = 1
                            stack.append((Int32(parent), 0))
                        }
                    default: break
                    }
                } else {
                    var all = Set<Int32>(minimumCapacity: nodeParents.count)
                    for parent in nodeParents {
                        all.insert(parent)
                        all.formUnion(result[Int(parent)])
                    }
                    result[Int(node)] = all
                    state[Int(node)] = 2
                    stack.removeLast()
                }
            }
        }
        return result.map { $0.sorted() }
    }
}

/// An entity: its uid, attributes, direct parents and tags.
public struct Entity: Hashable, Sendable {
    public var uid: EntityUID
    public var attributes: [String: Value]
    public var parents: Set<EntityUID>
    public var tags: [String: Value]

    public init(
        uid: EntityUID, attributes: [String: Value] = [:], parents: Set<EntityUID> = [], tags: [String: Value] = [:]
    ) {
        self.uid = uid
        self.attributes = attributes
        self.parents = parents
        self.tags = tags
    }
}

/// The entities a request is evaluated against, with the transitive closure of `in` precomputed.
///
/// Loading rejects duplicate uids and cycles in the hierarchy. Parents need not be present
/// as entities themselves.
public struct Entities: Sendable {
    public private(set) var entities: [EntityUID: Entity]
    /// Every ancestor (transitively) of each entity.
    public private(set) var ancestors: [EntityUID: Set<EntityUID>]

    public init() {
        entities = [:]
        ancestors = [:]
    }

    public init(_ list: [Entity]) throws(CedarError) {
        var map: [EntityUID: Entity] = [:]
        map.reserveCapacity(list.count)
        for entity in list {
            guard map.updateValue(entity, forKey: entity.uid) == nil else {
                throw .entity("duplicate entity \(entity.uid)")
            }
        }
        entities = map
        ancestors = try Self.closure(of: map)
    }

    public subscript(uid: EntityUID) -> Entity? { entities[uid] }

    public var count: Int { entities.count }

    /// True when `descendant` is `ancestor` or lies below it in the hierarchy.
    @inline(__always)
    public func isDescendant(_ descendant: EntityUID, of ancestor: EntityUID) -> Bool {
        descendant == ancestor || (ancestors[descendant]?.contains(ancestor) ?? false)
    }

    /// Computes ancestors by depth-first search with memoisation, rejecting cycles.
    private static func closure(of map: [EntityUID: Entity]) throws(CedarError) -> [EntityUID: Set<EntityUID>] {
        var done: [EntityUID: Set<EntityUID>] = [:]
        done.reserveCapacity(map.count)
        var onPath: Set<EntityUID> = []

        // Iterative to survive deep hierarchies: each frame is (entity, parents still to visit).
        for root in map.keys where done[root] == nil {
            var stack: [(EntityUID, [EntityUID])] = [(root, Array(map[root]?.parents ?? []))]
            onPath.insert(root)
            while !stack.isEmpty {
                let (uid, remaining) = stack[stack.count - 1]
                if let next = remaining.last {
                    stack[stack.count - 1].1.removeLast()
                    if done[next] != nil { continue }
                    guard !onPath.contains(next) else {
                        throw .entity("the entity hierarchy has a cycle through \(next)")
                    }
                    onPath.insert(next)
                    stack.append((next, Array(map[next]?.parents ?? [])))
                } else {
                    var all: Set<EntityUID> = []
                    for parent in map[uid]?.parents ?? [] {
                        all.insert(parent)
                        all.formUnion(done[parent] ?? [])
                    }
                    done[uid] = all
                    onPath.remove(uid)
                    stack.removeLast()
                }
            }
        }
        return done
    }
}

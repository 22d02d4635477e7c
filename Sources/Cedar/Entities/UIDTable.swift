/// A hash table keyed by entity uid, probed by the uid's precomputed digest (``EntityUID/digest``).
/// Every decision looks up its principal, action and resource and their ancestors several times;
/// Swift's `Dictionary` would run its seeded hash over the digest at each lookup, which cost about
/// a tenth of a decision. Open addressing with linear probing, at most half full.
///
/// The keys are the stored entities and policy scopes (written by operators) or a request's few
/// entities: the table is not exposed to many keys chosen by a caller, whose digests could be made
/// to collide.
struct UIDTable<Value: Sendable>: Sendable {
    /// Each slot's digest with its lowest bit set, 0 for an empty slot: probing compares these
    /// integers and reads a key only when they match.
    private var tags: [UInt64]
    private var keys: [EntityUID?]
    private var values: [Value?]
    private var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var bits: UInt64 = 3
        while 1 << bits < 2 * minimumCapacity { bits += 1 }
        tags = Array(repeating: 0, count: 1 << bits)
        keys = Array(repeating: nil, count: 1 << bits)
        values = Array(repeating: nil, count: 1 << bits)
        shift = 64 - bits
    }

    var isEmpty: Bool { count == 0 }

    /// The slot holding `uid`, or the empty slot where it would go.
    @inline(__always) private func slot(of uid: EntityUID) -> Int {
        let tag = uid.digest | 1
        var index = Int(truncatingIfNeeded: (uid.digest &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while tags[index] != 0 {
            if tags[index] == tag, keys[index] == uid { return index }
            index = (index + 1) & (tags.count - 1)
        }
        return index
    }

    subscript(uid: EntityUID) -> Value? { values[slot(of: uid)] }

    /// Stores `value` under `uid`, replacing what was there.
    mutating func set(_ value: Value, for uid: EntityUID) {
        var index = slot(of: uid)
        if tags[index] == 0 {
            if 2 * (count + 1) > tags.count {
                grow()
                index = slot(of: uid)
            }
            count += 1
            tags[index] = uid.digest | 1
            keys[index] = uid
        }
        values[index] = value
    }

    /// The value under `uid`, made `initial` first when there is none, changed by `change`.
    mutating func update(_ uid: EntityUID, initial: Value, _ change: (inout Value) -> Void) {
        var value = self[uid] ?? initial
        change(&value)
        set(value, for: uid)
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        tags = Array(repeating: 0, count: oldKeys.count * 2)
        keys = Array(repeating: nil, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (key, value) in zip(oldKeys, oldValues) {
            if let key, let value { set(value, for: key) }
        }
    }
}

/// Cedar compares strings by their exact code points, while Swift's `String ==` treats canonically
/// equivalent strings (`"é"` and `"e\u{301}"`) as equal. Identifiers and values that differ only in
/// Unicode normalization are different in Cedar, so every Cedar equality and hash goes through these.
enum ExactString {
    @inline(__always)
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = a.utf8
        let y = b.utf8
        guard x.count == y.count else { return false }
        let fast = x.withContiguousStorageIfAvailable { xs in
            y.withContiguousStorageIfAvailable { ys in bytesEqual(xs, ys) }
        }
        return (fast ?? nil) ?? x.elementsEqual(y)
    }

    @inline(__always)
    private static func bytesEqual(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<x.count where x[i] != y[i] { return false }
        return true
    }

    @inline(__always)
    static func hash(_ s: String, into hasher: inout Hasher) {
        let bytes = s.utf8
        let hashed: Void? = bytes.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            for byte in bytes { hasher.combine(byte) }
        }
        hasher.combine(0xFF as UInt8)  // terminator: "ab"+"c" and "a"+"bc" hash differently
    }

    /// Byte-wise order of the UTF-8 encodings (the order of code points).
    static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension EntityType {
    public static func == (lhs: EntityType, rhs: EntityType) -> Bool { ExactString.equal(lhs.name, rhs.name) }
    public func hash(into hasher: inout Hasher) { ExactString.hash(name, into: &hasher) }
}

extension EntityUID {
    /// Exact (code point for code point) on type and id; the precomputed digest rules most
    /// mismatches out first.
    @inline(__always)
    public static func == (lhs: EntityUID, rhs: EntityUID) -> Bool {
        lhs.digest == rhs.digest && lhs.type == rhs.type && ExactString.equal(lhs.id, rhs.id)
    }

    /// Consistent with `==`: equal uids have equal bytes, so equal digests.
    @inline(__always)
    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }
}

extension Value {
    /// Cedar's `==`: structural, exact on strings, and false across types.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.bool(let a), .bool(let b)): a == b
        case (.long(let a), .long(let b)): a == b
        case (.string(let a), .string(let b)): ExactString.equal(a, b)
        case (.entity(let a), .entity(let b)): a == b
        case (.set(let a), .set(let b)): a == b
        case (.record(let a), .record(let b)): exactlyEqual(a, b)
        case (.decimal(let a), .decimal(let b)): a == b
        case (.ipaddr(let a), .ipaddr(let b)): a == b
        case (.datetime(let a), .datetime(let b)): a == b
        case (.duration(let a), .duration(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0 as UInt8); hasher.combine(b)
        case .long(let n): hasher.combine(1 as UInt8); hasher.combine(n)
        case .string(let s): hasher.combine(2 as UInt8); ExactString.hash(s, into: &hasher)
        case .entity(let uid): hasher.combine(3 as UInt8); uid.hash(into: &hasher)
        case .set(let s): hasher.combine(4 as UInt8); hasher.combine(s)
        case .record(let r): hasher.combine(5 as UInt8); hasher.combine(r)
        case .decimal(let d): hasher.combine(6 as UInt8); hasher.combine(d)
        case .ipaddr(let ip): hasher.combine(7 as UInt8); hasher.combine(ip)
        case .datetime(let d): hasher.combine(8 as UInt8); hasher.combine(d)
        case .duration(let d): hasher.combine(9 as UInt8); hasher.combine(d)
        }
    }
}

extension Dictionary where Key == String {
    /// The value stored under exactly `key` (code point for code point); Swift's own lookup would
    /// also find a canonically equivalent key.
    @inline(__always)
    func exact(_ key: String) -> Value? {
        guard let index = index(forKey: key), ExactString.equal(self[index].key, key) else { return nil }
        return self[index].value
    }
}

/// Record equality with exact keys.
func exactlyEqual<V: Equatable>(_ a: [String: V], _ b: [String: V]) -> Bool {
    guard a.count == b.count else { return false }
    for (key, value) in a {
        guard let other = b.exact(key), other == value else { return false }
    }
    return true
}

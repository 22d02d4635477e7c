/// A list of plain values (positions, words) that grows by doubling and is appended to without the
/// checks an `Array` makes on every append (is the storage shared? a call into the runtime): for
/// ``ScalarReader``'s lists, which it alone writes, once per word or anchor of a text. Its owner copies
/// it out with ``array`` and frees it with ``deallocate()``.
struct GrowingList<Element: BitwiseCopyable> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always) mutating func append(_ element: Element) { append(element, if: true) }

    /// Appends `element` if `condition` holds, without a branch on it: the element is written to the
    /// next slot either way, and counted only then (for conditions a processor cannot predict).
    @inline(__always) mutating func append(_ element: Element, if condition: Bool) {
        if count == capacity { grow() }
        base[count] = element
        count += condition ? 1 : 0
    }

    /// Appends `offset` plus the position of each bit set in `lanes` (at most the low eight), in order,
    /// with one check for room for all of them: the reader's way to list the positions of eight bytes.
    @inline(__always) mutating func appendLanes(_ lanes: UInt64, plus offset: Int) where Element == Int32 {
        if count &+ 8 > capacity { grow() }
        var (lanes, next) = (lanes & 0xFF, count)
        while lanes != 0 {
            base[next] = Int32(truncatingIfNeeded: offset &+ lanes.trailingZeroBitCount)
            next &+= 1
            lanes &= lanes &- 1
        }
        count = next
    }

    @inline(never) private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: 2 * capacity)
        larger.update(from: base, count: count)
        base.deallocate()
        (base, capacity) = (larger, 2 * capacity)
    }

    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

    func deallocate() { base.deallocate() }
}

/// Reads the stored hashes of perfect subtrees. The node at (`level`, `index`) covers the leaves
/// `index·2^level ..< (index+1)·2^level`; level 0 holds the leaf hashes.
public protocol PerfectSubtreeReader {
    func hash(level: Int, index: UInt64) throws -> TreeHash
}

/// The RFC 9162 Merkle tree over a log's leaves, as far as `size`: root hashes, inclusion proofs
/// (`PATH`, section 2.1.3.1) and consistency proofs (`PROOF`, section 2.1.4.1), computed from
/// perfect-subtree hashes so that each costs O(log n) reads.
public struct MerkleTree {
    public let reader: any PerfectSubtreeReader
    public let size: UInt64

    public init(reader: any PerfectSubtreeReader, size: UInt64) {
        self.reader = reader
        self.size = size
    }

    public func root() throws -> TreeHash {
        size == 0 ? .emptyTree : try hash(start: 0, count: size)
    }

    /// `MTH(D[start ..< start+count])`, where `start` is a multiple of the largest power of two
    /// not above `count` (true of every range the proofs ask for).
    func hash(start: UInt64, count: UInt64) throws -> TreeHash {
        if count.isPowerOfTwo {
            let level = count.trailingZeroBitCount
            return try reader.hash(level: level, index: start >> level)
        }
        let k = count.largestPowerOfTwoBelow
        return .node(try hash(start: start, count: k), try hash(start: start + k, count: count - k))
    }

    /// The audit path of leaf `index`, nearest sibling first.
    public func inclusionProof(index: UInt64) throws -> [TreeHash] {
        guard index < size else { throw ProofError("leaf index \(index) is not below the tree size \(size)") }
        var proof: [TreeHash] = []
        try path(index, start: 0, count: size, into: &proof)
        return proof
    }

    private func path(_ m: UInt64, start: UInt64, count: UInt64, into proof: inout [TreeHash]) throws {
        guard count > 1 else { return }
        let k = count.largestPowerOfTwoBelow
        if m < k {
            try path(m, start: start, count: k, into: &proof)
            proof.append(try hash(start: start + k, count: count - k))
        } else {
            try path(m - k, start: start + k, count: count - k, into: &proof)
            proof.append(try hash(start: start, count: k))
        }
    }

    /// The proof that this tree extends its first `oldSize` leaves (`0 < oldSize <= size`; empty
    /// when the sizes are equal).
    public func consistencyProof(from oldSize: UInt64) throws -> [TreeHash] {
        guard oldSize > 0, oldSize <= size else {
            throw ProofError("a consistency proof needs 0 < old size (\(oldSize)) ≤ size (\(size))")
        }
        var proof: [TreeHash] = []
        try subproof(oldSize, start: 0, count: size, isWholeOldTree: true, into: &proof)
        return proof
    }

    private func subproof(
        _ m: UInt64, start: UInt64, count: UInt64, isWholeOldTree: Bool, into proof: inout [TreeHash]
    ) throws {
        if m == count {
            if !isWholeOldTree { proof.append(try hash(start: start, count: count)) }
            return
        }
        let k = count.largestPowerOfTwoBelow
        if m <= k {
            try subproof(m, start: start, count: k, isWholeOldTree: isWholeOldTree, into: &proof)
            proof.append(try hash(start: start + k, count: count - k))
        } else {
            try subproof(m - k, start: start + k, count: count - k, isWholeOldTree: false, into: &proof)
            proof.append(try hash(start: start, count: k))
        }
    }
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first (one per set
/// bit of the size). Appending a leaf yields the perfect-subtree hashes it completes, which is all
/// a store has to write; the root is folded from the peaks without reading anything.
public struct CompactRange: Sendable, Equatable {
    public private(set) var size: UInt64 = 0
    public private(set) var peaks: [TreeHash] = []

    public init() {}

    /// The right edge of the stored tree of `size` leaves.
    public init(size: UInt64, reader: any PerfectSubtreeReader) throws {
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            peaks.append(try reader.hash(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        self.size = size
    }

    /// A perfect subtree completed by an append.
    public struct Node: Equatable, Sendable {
        public let level: Int
        public let index: UInt64
        public let hash: TreeHash
    }

    /// Appends a leaf; returns the nodes it completes, the leaf itself (level 0) first.
    @discardableResult
    public mutating func append(_ leaf: TreeHash) -> [Node] {
        var nodes = [Node(level: 0, index: size, hash: leaf)]
        var hash = leaf
        var index = size
        var level = 0
        while index & 1 == 1 {
            hash = .node(peaks.removeLast(), hash)
            index >>= 1
            level += 1
            nodes.append(Node(level: level, index: index, hash: hash))
        }
        peaks.append(hash)
        size += 1
        return nodes
    }

    /// Appends a leaf without reporting the nodes it completes (for recomputing a tree).
    public mutating func appendLeaf(_ leaf: TreeHash) {
        var hash = leaf
        var index = size
        while index & 1 == 1 {
            hash = .node(peaks.removeLast(), hash)
            index >>= 1
        }
        peaks.append(hash)
        size += 1
    }

    public var root: TreeHash {
        guard var root = peaks.last else { return .emptyTree }
        for peak in peaks.dropLast().reversed() { root = .node(peak, root) }
        return root
    }
}

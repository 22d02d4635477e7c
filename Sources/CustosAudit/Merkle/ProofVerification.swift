/// Why a Merkle proof did not verify.
public struct ProofError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Offline verification of inclusion and consistency proofs (RFC 9162, sections 2.1.3.2 and
/// 2.1.4.2). Every hash is checked to be 32 bytes; nothing else is trusted.
public enum ProofVerification {
    /// Checks that the leaf with hash `leafHash` is at `index` in the tree of `treeSize` leaves
    /// whose root is `root`.
    public static func verifyInclusion(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]], root: [UInt8]
    ) throws(ProofError) {
        let computed = try rootFromInclusion(leafHash: leafHash, index: index, treeSize: treeSize, proof: proof)
        guard let root = TreeHash(bytes: root) else { throw ProofError("the root is not a 32-byte hash") }
        guard computed == root else { throw ProofError("the inclusion proof does not lead to the root") }
    }

    /// The root an inclusion proof leads to.
    public static func rootFromInclusion(
        leafHash: [UInt8], index: UInt64, treeSize: UInt64, proof: [[UInt8]]
    ) throws(ProofError) -> TreeHash {
        guard index < treeSize else { throw ProofError("leaf index \(index) is not below the tree size \(treeSize)") }
        guard let leaf = TreeHash(bytes: leafHash) else { throw ProofError("the leaf hash is not a 32-byte hash") }
        let path = try hashes(proof)
        var fn = index
        var sn = treeSize - 1
        var r = leaf
        for p in path {
            guard sn != 0 else { throw ProofError("the inclusion proof is longer than the tree is deep") }
            if fn & 1 == 1 || fn == sn {
                r = .node(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = .node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError("the inclusion proof is shorter than the tree is deep") }
        return r
    }

    /// Checks that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves
    /// with root `root1`.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8], root2: [UInt8]
    ) throws(ProofError) {
        guard size1 <= size2 else { throw ProofError("the first size \(size1) is larger than the second \(size2)") }
        if size1 == size2 {
            // Nothing to prove but that the roots are the same (and, for the empty tree, the empty root).
            guard proof.isEmpty else { throw ProofError("a proof between equal sizes must be empty") }
            guard root1 == root2 else { throw ProofError("the roots of two trees of the same size differ") }
            guard size1 != 0 || root1 == TreeHash.emptyTree.bytes else {
                throw ProofError("the root of the empty tree is not SHA-256 of the empty string")
            }
            return
        }
        guard size1 != 0 else { throw ProofError("a consistency proof from the empty tree proves nothing") }
        guard let first = TreeHash(bytes: root1), let second = TreeHash(bytes: root2) else {
            throw ProofError("a root is not a 32-byte hash")
        }
        let path = try hashes(proof)
        guard !path.isEmpty else { throw ProofError("the consistency proof is empty") }
        var nodes = path[...]
        if size1.isPowerOfTwo { nodes.insert(first, at: nodes.startIndex) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = nodes[nodes.startIndex]
        var sr = fr
        for c in nodes.dropFirst() {
            guard sn != 0 else { throw ProofError("the consistency proof is too long") }
            if fn & 1 == 1 || fn == sn {
                fr = .node(c, fr)
                sr = .node(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = .node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw ProofError("the consistency proof is too short") }
        guard fr == first else { throw ProofError("the consistency proof does not lead to the first root") }
        guard sr == second else { throw ProofError("the consistency proof does not lead to the second root") }
    }

    private static func hashes(_ proof: [[UInt8]]) throws(ProofError) -> [TreeHash] {
        var result: [TreeHash] = []
        result.reserveCapacity(proof.count)
        for (position, bytes) in proof.enumerated() {
            guard let hash = TreeHash(bytes: bytes) else {
                throw ProofError("proof element \(position) is not a 32-byte hash")
            }
            result.append(hash)
        }
        guard result.count <= 128 else { throw ProofError("the proof has more than 128 hashes") }
        return result
    }
}

import CustosAudit
import PropertyBased
import Testing

/// Proofs the tree generates verify offline, and no single-bit change to one does.
@Suite struct MerkleProofTests {
    static func tree(size: Int) -> (MemoryNodes, CompactRange, [TreeHash]) {
        let store = MemoryNodes()
        var range = CompactRange()
        var leaves: [TreeHash] = []
        for n in 0..<size {
            let leaf = TreeHash.leaf(Array("record \(n)".utf8))
            leaves.append(leaf)
            for node in range.append(leaf) { store.nodes[[UInt64(node.level), node.index]] = node.hash }
        }
        return (store, range, leaves)
    }

    @Test func inclusionProofsVerifyAndTamperedOnesDoNot() async throws {
        let (store, _, leaves) = Self.tree(size: 300)
        await propertyCheck(count: 400, input: Gen.int(in: 1...300), Gen.int(in: 0..<300), Gen.int(in: 0..<256)) {
            size, pick, bit in
            let index = UInt64(pick % size)
            let tree = MerkleTree(reader: store, size: UInt64(size))
            let root = try #require(try? tree.root())
            let proof = try #require(try? tree.inclusionProof(index: index)).map(\.bytes)
            #expect(throws: Never.self) {
                try ProofVerification.verifyInclusion(
                    leafHash: leaves[Int(index)].bytes, index: index, treeSize: UInt64(size), proof: proof, root: root.bytes)
            }
            guard !proof.isEmpty else { return }
            var tampered = proof
            tampered[bit % proof.count][bit % 32] ^= UInt8(1 << (bit % 8))
            #expect(throws: ProofError.self) {
                try ProofVerification.verifyInclusion(
                    leafHash: leaves[Int(index)].bytes, index: index, treeSize: UInt64(size), proof: tampered, root: root.bytes)
            }
            if size > 1 {
                #expect(throws: ProofError.self) {
                    try ProofVerification.verifyInclusion(
                        leafHash: leaves[Int(index)].bytes, index: (index + 1) % UInt64(size), treeSize: UInt64(size),
                        proof: proof, root: root.bytes)
                }
            }
        }
    }

    @Test func consistencyProofsVerifyAndTamperedOnesDoNot() async throws {
        let (store, _, _) = Self.tree(size: 300)
        await propertyCheck(count: 400, input: Gen.int(in: 1...300), Gen.int(in: 1...300), Gen.int(in: 0..<256)) {
            a, b, bit in
            let (old, new) = (UInt64(min(a, b)), UInt64(max(a, b)))
            let oldRoot = try #require(try? MerkleTree(reader: store, size: old).root())
            let tree = MerkleTree(reader: store, size: new)
            let newRoot = try #require(try? tree.root())
            let proof = try #require(try? tree.consistencyProof(from: old)).map(\.bytes)
            #expect(throws: Never.self) {
                try ProofVerification.verifyConsistency(
                    size1: old, size2: new, proof: proof, root1: oldRoot.bytes, root2: newRoot.bytes)
            }
            guard !proof.isEmpty else { return }
            var tampered = proof
            tampered[bit % proof.count][bit % 32] ^= UInt8(1 << (bit % 8))
            #expect(throws: ProofError.self) {
                try ProofVerification.verifyConsistency(
                    size1: old, size2: new, proof: tampered, root1: oldRoot.bytes, root2: newRoot.bytes)
            }
            #expect(throws: ProofError.self) {
                try ProofVerification.verifyConsistency(
                    size1: old, size2: new, proof: Array(proof.dropLast()), root1: oldRoot.bytes, root2: newRoot.bytes)
            }
        }
    }

    @Test func theCompactRangeReloadsFromStoredNodes() throws {
        let (store, range, _) = Self.tree(size: 77)
        let reloaded = try CompactRange(size: 77, reader: store)
        #expect(reloaded == range)
        #expect(reloaded.root == (try MerkleTree(reader: store, size: 77).root()))
    }

    @Test func proofsOutsideTheTreeAreRefused() {
        let (store, _, _) = Self.tree(size: 5)
        let tree = MerkleTree(reader: store, size: 5)
        #expect(throws: ProofError.self) { try tree.inclusionProof(index: 5) }
        #expect(throws: ProofError.self) { try tree.consistencyProof(from: 0) }
        #expect(throws: ProofError.self) { try tree.consistencyProof(from: 6) }
        #expect((try? tree.consistencyProof(from: 5)) == [])
    }
}

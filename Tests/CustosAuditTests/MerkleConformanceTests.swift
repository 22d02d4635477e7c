import CustosAudit
import CustosTestSupport
import Foundation
import Testing

/// The RFC 6962 / RFC 9162 proof vectors of transparency-dev/merkle in `../shared/data/merkle`.
@Suite struct MerkleConformanceTests {
    struct InclusionVector: Decodable {
        var leafIdx: UInt64
        var treeSize: UInt64
        var root: String
        var leafHash: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    struct ConsistencyVector: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    static func vectorFiles(_ kind: String) -> [String] {
        let base = SharedDataDirectory.url("merkle/testdata/\(kind)")
        let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" } ?? []
        return files.map { String($0.path.dropFirst(base.path.count + 1)) }.sorted()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ kind: String, _ file: String) throws -> T {
        let data = try Data(contentsOf: SharedDataDirectory.url("merkle/testdata/\(kind)/\(file)"))
        return try JSONDecoder().decode(type, from: data)
    }

    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64) ?? Data()) }

    @Test func everyVectorFileIsFound() {
        #expect(Self.vectorFiles("inclusion").count >= 90)
        #expect(Self.vectorFiles("consistency").count >= 90)
    }

    @Test(arguments: vectorFiles("inclusion"))
    func inclusion(file: String) throws {
        let v = try Self.decode(InclusionVector.self, "inclusion", file)
        let outcome = Result { () throws(ProofError) in
            try ProofVerification.verifyInclusion(
                leafHash: Self.bytes(v.leafHash), index: v.leafIdx, treeSize: v.treeSize,
                proof: (v.proof ?? []).map(Self.bytes), root: Self.bytes(v.root))
        }
        if v.wantErr {
            #expect(throws: ProofError.self, "\(file): \(v.desc)") { try outcome.get() }
        } else {
            #expect(throws: Never.self, "\(file): \(v.desc)") { try outcome.get() }
        }
    }

    @Test(arguments: vectorFiles("consistency"))
    func consistency(file: String) throws {
        let v = try Self.decode(ConsistencyVector.self, "consistency", file)
        let outcome = Result { () throws(ProofError) in
            try ProofVerification.verifyConsistency(
                size1: v.size1, size2: v.size2, proof: (v.proof ?? []).map(Self.bytes),
                root1: Self.bytes(v.root1), root2: Self.bytes(v.root2))
        }
        if v.wantErr {
            #expect(throws: ProofError.self, "\(file): \(v.desc)") { try outcome.get() }
        } else {
            #expect(throws: Never.self, "\(file): \(v.desc)") { try outcome.get() }
        }
    }

    /// The 8-leaf reference tree of `constants.go.txt`: its leaves, every node hash, and the roots
    /// of every prefix, rebuilt by ``CompactRange`` and ``MerkleTree``.
    @Test func referenceTree() throws {
        let text = try String(contentsOf: SharedDataDirectory.url("merkle/constants.go.txt"), encoding: .utf8)
        let leaves = Self.hexStrings(in: text, function: "LeafInputs")
        let levels = Self.hexLevels(in: text, function: "NodeHashes")
        let roots = Self.hexStrings(in: text, function: "RootHashes")
        #expect(leaves.count == 8)
        #expect(levels.map(\.count) == [8, 4, 2, 1])
        #expect(roots.count == 8)

        var range = CompactRange()
        let store = MemoryNodes()
        for leaf in leaves {
            for node in range.append(.leaf(leaf)) { store.nodes[[UInt64(node.level), node.index]] = node.hash }
            #expect(range.root.bytes == roots[Int(range.size) - 1], "root of \(range.size) leaves")
            #expect(try MerkleTree(reader: store, size: range.size).root() == range.root)
        }
        for (level, hashes) in levels.enumerated() {
            for (index, hash) in hashes.enumerated() {
                #expect(store.nodes[[UInt64(level), UInt64(index)]]?.bytes == hash, "node \(level).\(index)")
            }
        }
    }

    /// The body of a Go function in the constants file, up to its closing brace.
    static func body(of function: String, in text: String) -> String {
        guard let start = text.range(of: "func \(function)()") else { return "" }
        return String(text[start.upperBound...].components(separatedBy: "\n}\n")[0])
    }

    static func hexStrings(in text: String, function: String) -> [[UInt8]] {
        hexLiterals(in: body(of: function, in: text))
    }

    static func hexLevels(in text: String, function: String) -> [[[UInt8]]] {
        body(of: function, in: text).components(separatedBy: "}, {").map { hexLiterals(in: $0) }
    }

    static func hexLiterals(in text: String) -> [[UInt8]] {
        text.components(separatedBy: "hd(\"").dropFirst().map { chunk in
            let hex = Array(chunk.prefix { $0 != "\"" })
            return stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16) ?? 0 }
        }
    }
}

/// Perfect-subtree hashes in memory, for tests.
final class MemoryNodes: PerfectSubtreeReader {
    var nodes: [[UInt64]: TreeHash] = [:]

    struct Missing: Error {}

    func hash(level: Int, index: UInt64) throws -> TreeHash {
        guard let hash = nodes[[UInt64(level), index]] else { throw Missing() }
        return hash
    }
}

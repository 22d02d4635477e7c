public import CustosCore
public import Foundation

/// Records with everything needed to check them offline: a signed checkpoint, and for each record
/// its canonical text and its inclusion proof in the checkpoint's tree. Verifying needs nothing but
/// the log's verifier key, obtained from a trusted source (not from the bundle).
///
/// ```json
/// {"format": "custos-audit-bundle/1", "origin": "…", "checkpoint": "<signed note>",
///  "records": [{"index": 7, "record": "<canonical JSON text>", "proof": ["<base64>", …]}]}
/// ```
public struct AuditBundle: Codable, Equatable, Sendable {
    public static let formatName = "custos-audit-bundle/1"
    public static let maximumRecords = 10_000

    public struct Entry: Codable, Equatable, Sendable {
        public var index: UInt64
        /// The record's canonical JSON, exactly the bytes that were hashed.
        public var record: String
        public var proof: [String]
    }

    public var format: String
    public var origin: String
    public var checkpoint: String
    public var records: [Entry]

    /// Records `from ..< from+count` (as far as the log goes) against a checkpoint signed now.
    public static func make(log: AuditLog, from: UInt64, count: UInt64) async throws(CustosError) -> AuditBundle {
        let note = try await log.checkpoint()
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.open(note, verifier: log.signer.verifier)
        } catch {
            throw .internalError("the log's own checkpoint does not verify: \(error)")
        }
        guard from < checkpoint.size else {
            throw .notFound("the log has \(checkpoint.size) records; `from` must be below that")
        }
        let end = min(checkpoint.size, from + count)
        let size = checkpoint.size
        let entries = try await log.read { snapshot in
            let tree = MerkleTree(reader: snapshot, size: size)
            return try snapshot.records(in: from..<end).map { stored in
                Entry(
                    index: stored.index, record: String(decoding: stored.bytes, as: UTF8.self),
                    proof: try tree.inclusionProof(index: stored.index).map(\.base64))
            }
        }
        return AuditBundle(format: formatName, origin: log.origin, checkpoint: note, records: entries)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a bundle file; anything but the documented shape is an error.
    public init(data: Data) throws(CustosError) {
        do {
            self = try JSONDecoder().decode(AuditBundle.self, from: data)
        } catch {
            throw .invalidRequest("not an audit bundle: \(error)")
        }
        guard format == Self.formatName else { throw .invalidRequest("unknown bundle format `\(format)`") }
        guard records.count <= Self.maximumRecords else {
            throw .invalidRequest("a bundle holds at most \(Self.maximumRecords) records")
        }
    }

    init(format: String, origin: String, checkpoint: String, records: [Entry]) {
        self.format = format
        self.origin = origin
        self.checkpoint = checkpoint
        self.records = records
    }

    /// The result of checking a bundle.
    public struct Report: Equatable, Sendable {
        public var checkpoint: Checkpoint?
        public var verified = 0
        public var firstBadIndex: UInt64?
        public var problems: [String] = []
        public var isValid: Bool { problems.isEmpty }
    }

    /// Checks the checkpoint's signature with `verifier` and every record's inclusion proof.
    public func verify(with verifier: NoteVerifier) -> Report {
        var report = Report()
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.open(self.checkpoint, verifier: verifier, origin: verifier.name)
        } catch {
            report.problems.append("the checkpoint does not verify with the key given: \(error)")
            return report
        }
        report.checkpoint = checkpoint
        for entry in records {
            let proof = entry.proof.map { Array(Data(base64Encoded: $0) ?? Data()) }
            do {
                try ProofVerification.verifyInclusion(
                    leafHash: TreeHash.leaf(Array(entry.record.utf8)).bytes, index: entry.index, treeSize: checkpoint.size,
                    proof: proof, root: checkpoint.root.bytes)
                report.verified += 1
            } catch {
                report.problems.append("record \(entry.index) does not verify: \(error)")
                if report.firstBadIndex.map({ entry.index < $0 }) ?? true { report.firstBadIndex = entry.index }
            }
        }
        return report
    }
}

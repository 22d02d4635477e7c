/// A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the log's origin, its size and its root
/// hash, as the text of a signed note:
///
/// ```
/// <origin>
/// <size in decimal>
/// <base64 root hash>
/// ```
public struct Checkpoint: Equatable, Sendable {
    public let origin: String
    public let size: UInt64
    public let root: TreeHash
    /// Optional extension lines after the root (kept, not interpreted).
    public let extensions: [String]

    public init(origin: String, size: UInt64, root: TreeHash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    public var text: String {
        ([origin, String(size), root.base64] + extensions).map { $0 + "\n" }.joined()
    }

    /// Reads the text of a checkpoint note (already verified as a signed note).
    public init(text: String) throws(NoteError) {
        guard text.hasSuffix("\n") else { throw NoteError("a checkpoint ends with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3, !lines[0].isEmpty else { throw NoteError("a checkpoint has an origin, a size and a root hash") }
        let sizeText = lines[1]
        guard let size = UInt64(sizeText), sizeText == String(size) else {
            throw NoteError("the checkpoint size `\(sizeText)` is not a decimal number without leading zeros")
        }
        guard let root = TreeHash(base64: lines[2]), root.base64 == lines[2] else {
            throw NoteError("the checkpoint root is not the base64 of a 32-byte hash")
        }
        guard !lines[3...].contains(where: \.isEmpty) else { throw NoteError("a checkpoint has no empty lines") }
        self.init(origin: lines[0], size: size, root: root, extensions: Array(lines[3...]))
    }

    /// Verifies a signed checkpoint note with `verifier` and reads it; the origin must be `origin`
    /// when given.
    public static func open(_ note: String, verifier: NoteVerifier, origin: String? = nil) throws(NoteError) -> Checkpoint {
        let checkpoint = try Checkpoint(text: try verifier.open(note))
        if let origin, !checkpoint.origin.utf8.elementsEqual(origin.utf8) {
            throw NoteError("the checkpoint is for the log `\(checkpoint.origin)`, not `\(origin)`")
        }
        return checkpoint
    }
}

public import Foundation
import Crypto

/// A SHA-256 node or leaf hash of the audit log's Merkle tree (RFC 9162, section 2.1.1).
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    public let bytes: [UInt8]

    /// Fails unless `bytes` is exactly 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// Fails unless `text` is standard base64 of exactly 32 bytes.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: data)
    }

    private init(digest: SHA256.Digest) {
        bytes = Array(digest)
    }

    public var base64: String { Data(bytes).base64EncodedString() }
    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
    public var description: String { hex }

    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyTree = TreeHash(digest: SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 ‖ record)`.
    public static func leaf(_ record: some DataProtocol) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: record)
        return TreeHash(digest: hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func node(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return TreeHash(digest: hasher.finalize())
    }
}

extension UInt64 {
    /// The largest power of two strictly smaller than `self` (which must be at least 2): the size
    /// of the left subtree of a tree with `self` leaves.
    var largestPowerOfTwoBelow: UInt64 {
        1 << (63 - (self - 1).leadingZeroBitCount)
    }

    var isPowerOfTwo: Bool { self != 0 && self & (self - 1) == 0 }
}

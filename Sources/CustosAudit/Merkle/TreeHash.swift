public import Foundation
import Crypto

/// A SHA-256 node or leaf hash of the audit log's Merkle tree (RFC 9162, section 2.1.1).
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32

    /// The 32 bytes, inline (no heap allocation: a tree is hashes all the way down).
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Fails unless `bytes` is exactly 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(buffer)) }
        }
        if copied == nil {
            withUnsafeMutableBytes(of: &storage) { raw in
                for (position, byte) in bytes.enumerated() { raw[position] = byte }
            }
        }
    }

    /// Fails unless `raw` is exactly 32 bytes long. Not generic, so reading hashes from a store costs
    /// one copy.
    public init?(raw: UnsafeRawBufferPointer) {
        guard raw.count == Self.byteCount else { return nil }
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) }
    }

    public static func == (lhs: TreeHash, rhs: TreeHash) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1 && lhs.storage.2 == rhs.storage.2
            && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    /// Fails unless `text` is standard base64 of exactly 32 bytes.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: data)
    }

    private init(digest: SHA256.Digest) {
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { raw in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(32))) }
        }
        self.storage = storage
    }

    public var bytes: [UInt8] { withUnsafeBytes(of: storage) { Array($0) } }
    public var base64: String { Data(bytes).base64EncodedString() }
    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
    public var description: String { hex }

    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyTree = TreeHash(digest: SHA256.hash(data: [UInt8]()))

    /// `SHA-256(0x00 ‖ record)`.
    public static func leaf(_ record: some DataProtocol) -> TreeHash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(data: record)
        return TreeHash(digest: hasher.finalize())
    }

    /// `SHA-256(0x00 ‖ record)` of bytes in memory.
    public static func leaf(_ record: UnsafeRawBufferPointer) -> TreeHash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: record)
        return TreeHash(digest: hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func node(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: left.storage) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: right.storage) { hasher.update(bufferPointer: $0) }
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

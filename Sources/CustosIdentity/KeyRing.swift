@preconcurrency public import Crypto
public import CustosCore
public import Foundation
import Synchronization

/// The signing keys in use: the current one, which signs everything new, and the previous ones,
/// which still verify what they signed until it has expired. A rotation makes a new current key; the
/// old one stays for the longest credential lifetime (24 h) plus a margin, then is dropped.
public final class KeyRing: Sendable {
    /// A key that verifies but no longer signs, until `retireAfter`.
    public struct Previous: Sendable {
        public let key: SigningKey
        public let retireAfter: Date
    }

    /// How long a replaced key keeps verifying: the longest credential lifetime, and a minute.
    public static let overlap: TimeInterval = TimeInterval(Blueprint.maximumCredentialTTLSeconds) + 60

    private struct State: Sendable {
        var sequence: Int64
        var current: SigningKey
        var previous: [Previous]
        var verificationKeys: [String: P256.Signing.PublicKey]
    }

    private let state: Mutex<State>

    /// `sequence` grows with every rotation (the trust bundle's `spiffe_sequence`): the current key's
    /// creation time in milliseconds.
    public init(current: SigningKey, previous: [Previous] = [], sequence: Int64 = 1) {
        state = Mutex(State(
            sequence: sequence, current: current, previous: previous, verificationKeys: Self.index(current, previous)))
    }

    /// Grows with every rotation.
    public var sequence: Int64 { state.withLock { $0.sequence } }

    private static func index(_ current: SigningKey, _ previous: [Previous]) -> [String: P256.Signing.PublicKey] {
        var keys = [current.keyID: current.privateKey.publicKey]
        for old in previous { keys[old.key.keyID] = old.key.privateKey.publicKey }
        return keys
    }

    /// The key that signs now.
    public var current: SigningKey { state.withLock { $0.current } }

    /// The keys that still verify, the current one first.
    public var all: [SigningKey] { state.withLock { [$0.current] + $0.previous.map(\.key) } }

    public var previous: [Previous] { state.withLock { $0.previous } }

    /// The public key with id `kid`, if it is current or not yet retired at `now`.
    public func verificationKey(_ kid: String, now: Date = Date()) -> P256.Signing.PublicKey? {
        state.withLock { state in
            guard let key = state.verificationKeys[kid] else { return nil }
            if kid != state.current.keyID, let old = state.previous.first(where: { $0.key.keyID == kid }), old.retireAfter < now {
                return nil
            }
            return key
        }
    }

    /// Makes `key` current; the current key becomes previous until `now` + ``overlap``; retired keys go.
    public func rotate(to key: SigningKey, now: Date) {
        state.withLock { state in
            var previous = state.previous.filter { $0.retireAfter >= now }
            previous.insert(Previous(key: state.current, retireAfter: now.addingTimeInterval(Self.overlap)), at: 0)
            state = State(
                sequence: max(state.sequence + 1, Int64(now.timeIntervalSince1970 * 1000)), current: key, previous: previous,
                verificationKeys: Self.index(key, previous))
        }
    }
}

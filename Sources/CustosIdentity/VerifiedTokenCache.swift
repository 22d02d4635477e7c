import Synchronization

/// Tokens whose signature has been checked, with what they said, so that the hot path does not repeat
/// the ECDSA verification. Only signature results are remembered: time, audience and revocation are
/// checked on every call. Bounded: beyond `limit` entries the cache starts over.
final class VerifiedTokenCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    let limit: Int

    init(limit: Int = 100_000) {
        self.limit = limit
    }

    subscript(token: String) -> Value? {
        entries.withLock { $0[token] }
    }

    func remember(_ value: Value, for token: String) {
        entries.withLock { stored in
            if stored.count >= limit { stored.removeAll(keepingCapacity: true) }
            stored[token] = value
        }
    }
}

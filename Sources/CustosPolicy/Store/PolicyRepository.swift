public import CustosCore
public import Foundation
import Synchronization

/// Where policy versions and activations are kept. Versions are never changed or removed; the active
/// version is the one of the latest activation. The methods are synchronous so that ``PolicyStore``
/// can make a change and its activation one step that no other change interleaves with.
public protocol PolicyRepository: Sendable {
    /// Stores `draft` as the next version.
    func append(_ draft: PolicyDraft, author: String, message: String, at time: Date) throws(CustosError)
        -> PolicyVersion
    func version(_ number: Int) throws(CustosError) -> PolicyVersion?
    /// Versions newest first, below `before` when given.
    func versions(before: Int?, limit: Int) throws(CustosError) -> [PolicyVersion]
    func recordActivation(_ activation: PolicyActivation) throws(CustosError)
    /// Activations newest first.
    func activations(limit: Int) throws(CustosError) -> [PolicyActivation]
}

extension PolicyRepository {
    /// The active version number, nil before the first activation.
    public func activeVersion() throws(CustosError) -> Int? {
        try activations(limit: 1).first?.version
    }
}

/// Keeps versions in memory, for tests and tools.
public final class InMemoryPolicyRepository: PolicyRepository {
    private let state = Mutex<(versions: [PolicyVersion], activations: [PolicyActivation])>(([], []))

    public init() {}

    public func append(_ draft: PolicyDraft, author: String, message: String, at time: Date) -> PolicyVersion {
        state.withLock { state in
            let version = PolicyVersion(
                version: state.versions.count + 1, draft: draft, author: author, message: message, createdAt: time)
            state.versions.append(version)
            return version
        }
    }

    public func version(_ number: Int) -> PolicyVersion? {
        state.withLock { $0.versions.indices.contains(number - 1) ? $0.versions[number - 1] : nil }
    }

    public func versions(before: Int?, limit: Int) -> [PolicyVersion] {
        state.withLock { state in
            Array(state.versions.reversed().filter { $0.version < (before ?? Int.max) }.prefix(limit))
        }
    }

    public func recordActivation(_ activation: PolicyActivation) {
        state.withLock { $0.activations.append(activation) }
    }

    public func activations(limit: Int) -> [PolicyActivation] {
        state.withLock { Array($0.activations.reversed().prefix(limit)) }
    }
}

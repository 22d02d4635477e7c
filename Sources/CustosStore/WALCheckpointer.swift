import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file from a connection of its own, behind the
/// appends, so that a commit rarely carries a checkpoint's page copies and database fsync.
///
/// The writing connection keeps an automatic checkpoint at ``writerFallbackPages`` frames: with this
/// one keeping up it has little left to copy, and it is what lets the log file start over (SQLite
/// restarts the log at a write after a checkpoint that reached its end), so the log stays bounded even
/// if this connection fails. A checkpoint never changes what is committed: the log is already durable.
final class WALCheckpointer: Sendable {
    /// Frames after which the writing connection checkpoints by itself (SQLite's default is 1,000).
    static let writerFallbackPages = 4096
    /// How long after an append a checkpoint runs, to copy many commits at once.
    static let delay = Duration.milliseconds(50)

    private struct State {
        var running = false
        var pending = false
        var failure: String?
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())

    /// A second connection to the database at `path`, which the caller has opened in WAL mode.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The last checkpoint failure, until a later one succeeds.
    var failure: String? { state.withLock { $0.failure } }

    /// Called after every committed append: starts a run unless one is going, which then goes on.
    func appended() {
        let start = state.withLock { state -> Bool in
            state.pending = true
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in await run() }
    }

    private func run() async {
        while true {
            try? await Task.sleep(for: Self.delay)
            state.withLock { $0.pending = false }
            do {
                // PASSIVE: copies what no reader still needs, never waits for the writer or readers.
                try await connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
                state.withLock { $0.failure = nil }
            } catch {
                state.withLock { $0.failure = "the audit log's background checkpoint failed: \(error)" }
            }
            let again = state.withLock { state -> Bool in
                guard state.pending else {
                    state.running = false
                    return false
                }
                return true
            }
            guard again else { return }
        }
    }
}

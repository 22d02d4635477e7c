import GRDB

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

    private let connection: DatabaseQueue
    private let runner = TrailingRunner(delay: delay)

    /// A second connection to the database at `path`, which the caller has opened in WAL mode.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Called after every committed append: checkpoints a little later.
    func appended() { runner.request { [weak self] in await self?.checkpoint() ?? false } }

    private func checkpoint() async -> Bool {
        // PASSIVE: copies what no reader still needs, never waits for the writer or readers. A failure
        // costs only speed: the writer's own checkpoint bounds the log, and the next append tries again.
        _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        return true
    }
}

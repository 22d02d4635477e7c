import GRDB

/// The audit database opened beside a running log, as an operator with the file could; waits while
/// the log or its search indexer is writing.
func openAuditDatabase(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
}

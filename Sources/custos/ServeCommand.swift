import ArgumentParser
import CustosCore
import CustosServer
import Foundation
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the control plane: one process, SQLite in the data folder, loopback by default.",
        discussion: """
            Reads --config (YAML) when given, else uses the defaults; --port, --host and --data-dir win over
            the file. On first start it creates the data folder (0700), the database, an ES256 signing key
            (0600), the audit log with its Ed25519 checkpoint key (0600) and, unless the configuration
            names one, the admin token, which is printed once. Signs an audit checkpoint every
            audit.checkpoint_interval_seconds while the log grows. Stops gracefully on SIGINT or SIGTERM.
            """
    )

    @Option(name: .long, help: "YAML configuration file.") var config: String?
    @Option(name: .long, help: "Port to listen on (default 8443).") var port: Int?
    @Option(name: .long, help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(name: .customLong("data-dir"), help: "Data folder (default ./.custos).") var dataDir: String?

    func run() async throws {
        var configuration = ServerConfiguration()
        do {
            if let config {
                configuration = try ServerConfiguration(
                    yaml: try PolicyInputs.text(config),
                    baseDirectory: URL(fileURLWithPath: config).deletingLastPathComponent().path)
            }
            if let port { configuration.port = port }
            if let host { configuration.host = host }
            if let dataDir { configuration.dataDirectory = dataDir }
            try configuration.validate()
        } catch let error as CustosError {
            throw ValidationError(error.message)
        }
        // Everything the server creates (database, keys, digests) is readable by its owner only.
        umask(0o077)
        var logger = Logger(label: "custos") { LogLineHandler(label: $0) }
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let plane: ControlPlane
        do {
            plane = try await ControlPlane.open(configuration, logger: logger)
        } catch {
            throw CommandFailure("cannot start: \(error.message)").report()
        }
        if let token = plane.newAdminToken {
            // Written unbuffered, so it is there even when stdout goes to a file or pipe.
            FileHandle.standardOutput.write(
                Data("Admin token (shown once; store it now, Custos keeps only its SHA-256):\n  \(token)\n".utf8))
        }
        let app = buildApplication(plane, logger: logger)
        let checkpoints = Task { await plane.signCheckpointsPeriodically(logger: logger) }
        let retention = Task { await plane.pruneAuditPeriodically(logger: logger) }
        // The server returns on SIGINT/SIGTERM after draining; then the checkpoint task signs a last one.
        try await app.runService()
        retention.cancel()
        checkpoints.cancel()
        await checkpoints.value
    }
}

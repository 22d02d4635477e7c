import ArgumentParser
import CustosCore
import CustosServer
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix

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
    @Option(name: .long, help: "Where tasks run: cooperative (default) or event_loops.") var executor: String?

    /// The configuration file with the flags laid over it, validated.
    func configuration() throws -> ServerConfiguration {
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
            if let executor {
                guard let chosen = ServerConfiguration.Executor(rawValue: executor) else {
                    throw CustosError.invalidRequest("--executor must be `cooperative` or `event_loops`, not `\(executor)`")
                }
                configuration.executor = chosen
            }
            try configuration.validate()
        } catch let error as CustosError {
            throw ValidationError(error.message)
        }
        return configuration
    }

    /// Makes NIO's event loops Swift's global executor when the configuration says `executor:
    /// event_loops`. NIO requires this on the main thread before any task runs elsewhere, so
    /// ``Custos/main()`` calls it before ``run()``; a runtime that cannot take the hook is an error, not
    /// a silent fallback.
    func installExecutor() throws {
        guard try configuration().executor == .eventLoops else { return }
        guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
            throw CommandFailure("executor: event_loops is not supported by this Swift runtime; use cooperative").report()
        }
    }

    func run() async throws {
        let configuration = try configuration()
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

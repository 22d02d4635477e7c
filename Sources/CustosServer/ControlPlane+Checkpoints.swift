import CustosAudit
import CustosCore
public import Logging

extension ControlPlane {
    /// Signs a checkpoint every `audit.checkpoint_interval_seconds` while the log grows, until the
    /// task is cancelled; then signs a last one. Failures are logged and retried at the next tick.
    public func signCheckpointsPeriodically(logger: Logger) async {
        var signedSize = (try? await audit.latestCheckpoint())?.size ?? 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(configuration.checkpointIntervalSeconds))
            let size = audit.health.size
            guard size > signedSize else { continue }
            do {
                try await audit.checkpoint()
                signedSize = size
            } catch {
                logger.error("cannot sign an audit checkpoint", metadata: ["error": "\(error.message)"])
            }
        }
        if audit.health.size > signedSize { _ = try? await audit.checkpoint() }
    }
}

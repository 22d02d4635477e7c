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

    /// With `audit.retention_days` set, prunes the records older than that at start and every hour
    /// until the task is cancelled. Failures are logged and retried at the next hour.
    public func pruneAuditPeriodically(logger: Logger) async {
        guard let days = configuration.auditRetentionDays else { return }
        while !Task.isCancelled {
            let cutoff = AuditTime.now() - Int64(days) * 86_400 * 1_000_000
            do {
                if let first = try await audit.prune(before: cutoff) {
                    logger.notice("pruned audit records older than the retention", metadata: ["days": "\(days)", "first_kept": "\(first)"])
                }
            } catch {
                logger.error("cannot prune the audit log", metadata: ["error": "\(error.message)"])
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}

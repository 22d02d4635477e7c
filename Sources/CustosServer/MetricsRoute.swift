import CustosAudit
import CustosCore
import CustosIdentity
import CustosPolicy
import CustosStore
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// Counters the request paths keep for `/v1/metrics`.
public final class ServerMetrics: Sendable {
    /// AuthZEN decisions answered, by outcome.
    private let allowed = Atomic<UInt64>(0)
    private let denied = Atomic<UInt64>(0)
    private let pendingApproval = Atomic<UInt64>(0)

    public init() {}

    func countDecision(_ outcome: AuditRecord.Decision) {
        switch outcome {
        case .allow: allowed.add(1, ordering: .relaxed)
        case .deny: denied.add(1, ordering: .relaxed)
        case .needsApproval: pendingApproval.add(1, ordering: .relaxed)
        }
    }

    /// The decision counts with their `outcome` label.
    var decisions: [([String: String], Double)] {
        [
            (["outcome": "allow"], Double(allowed.load(ordering: .relaxed))),
            (["outcome": "deny"], Double(denied.load(ordering: .relaxed))),
            (["outcome": "needs_approval"], Double(pendingApproval.load(ordering: .relaxed))),
        ]
    }
}

/// `GET /v1/metrics`: the Prometheus text exposition format (version 0.0.4), behind the admin
/// credential like every other `/v1` route (Prometheus sends it with `authorization: {credentials: …}`).
struct MetricsRoute {
    let plane: ControlPlane

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get("metrics") { _, _ -> Response in
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: try await render())))
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
    }

    func render() async throws -> String {
        var text = PrometheusText()
        let health = plane.audit.health
        text.gauge("custos_audit_records", "Records in the audit log (its tree size).", Double(health.size))
        text.gauge("custos_audit_writable", "1 while the audit log can write; 0 after a failed write, until one succeeds.", health.failure == nil ? 1 : 0)
        text.counter("custos_audit_failed_appends_total", "Appends refused because the log could not write them.", Double(health.failedAppends))
        text.counter(
            "custos_audit_failed_checkpoints_total", "Checkpoints that could not be signed or stored.", Double(health.failedCheckpoints))
        let maintenance = try await plane.audit.maintenance()
        if let checkpoint = maintenance.latestCheckpoint {
            text.gauge("custos_audit_checkpoint_records", "Records covered by the latest signed checkpoint.", Double(checkpoint.size))
            text.gauge("custos_audit_checkpoint_timestamp_seconds", "When the latest checkpoint was signed.", Double(checkpoint.time) / 1e6)
        }
        text.gauge("custos_audit_pruned_before", "First record kept by retention pruning (0: nothing pruned).", Double(maintenance.prunedBefore))
        text.gauge("custos_audit_search_index_lag_records", "Records not yet in the search index (searches scan them).", Double(maintenance.searchIndexLag))
        text.gauge("custos_audit_search_index_writable", "1 unless the search indexer's last run failed.", maintenance.searchIndexFailure == nil ? 1 : 0)
        text.gauge("custos_database_ready", "1 while the registry database answers.", await plane.store.isReady() ? 1 : 0)
        var byStatus: [String: Int] = [:]
        for agent in try await plane.registry.allAgents() { byStatus[agent.status.rawValue, default: 0] += 1 }
        text.gauge("custos_agents", "Registered agents by status.", AgentStatus.allCases.map { (["status": $0.rawValue], Double(byStatus[$0.rawValue] ?? 0)) })
        text.gauge("custos_revocation_epoch", "The revocation epoch (grows with every kill).", Double(plane.revocations.currentEpoch))
        text.gauge("custos_policy_version", "The active policy set's version.", Double(plane.decisions.snapshot.version))
        text.counter("custos_decisions_total", "AuthZEN decisions answered since start, by outcome.", plane.metrics.decisions)
        return text.output
    }
}

/// Writes metrics in the Prometheus text format: HELP and TYPE once per family, then its samples.
struct PrometheusText {
    private(set) var output = ""

    mutating func gauge(_ name: String, _ help: String, _ value: Double) { family(name, "gauge", help, [([:], value)]) }
    mutating func gauge(_ name: String, _ help: String, _ samples: [([String: String], Double)]) { family(name, "gauge", help, samples) }
    mutating func counter(_ name: String, _ help: String, _ value: Double) { family(name, "counter", help, [([:], value)]) }
    mutating func counter(_ name: String, _ help: String, _ samples: [([String: String], Double)]) { family(name, "counter", help, samples) }

    private mutating func family(_ name: String, _ type: String, _ help: String, _ samples: [([String: String], Double)]) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (labels, value) in samples {
            let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
            output += name + (rendered.isEmpty ? "" : "{" + rendered.joined(separator: ",") + "}") + " " + Self.format(value) + "\n"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

import Cedar
import CustosAudit
import CustosCore
import CustosPolicy
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The OpenID AuthZEN 1.0 decision point: `/access/v1/evaluation`, `/access/v1/evaluations`,
/// `/access/v1/search/{subject,resource,action}` and `/.well-known/authzen-configuration`.
struct AuthZENRoutes {
    let plane: ControlPlane
    /// Largest request body of the decision point (a batch of 1,000 evaluations fits).
    static let maximumBodyBytes = 1024 * 1024

    func register(on router: Router<CustosRequestContext>) {
        router.get(".well-known/authzen-configuration") { request, _ -> Response in
            let base = plane.hostURL(for: request)
            let metadata: JSONValue = .object([
                "policy_decision_point": .string(base),
                "access_evaluation_endpoint": .string("\(base)/access/v1/evaluation"),
                "access_evaluations_endpoint": .string("\(base)/access/v1/evaluations"),
                "search_subject_endpoint": .string("\(base)/access/v1/search/subject"),
                "search_resource_endpoint": .string("\(base)/access/v1/search/resource"),
                "search_action_endpoint": .string("\(base)/access/v1/search/action"),
            ])
            return Self.json(metadata, status: .ok)
        }
        let group = router.group("access/v1").add(middleware: RequestIDMiddleware())
            .add(middleware: PDPAuthenticator(plane: plane))
        group.post("evaluation") { request, context -> Response in
            // One evaluation: an `evaluations` member is an unknown field here, and ignored.
            var body = try await Self.body(request)
            if case .object(var object) = body {
                object.removeValue(forKey: "evaluations")
                body = .object(object)
            }
            let batch = try AuthZENBatch(json: body)
            let outcome = try plane.pdp.decide(batch, at: Date())
            try await audit(outcome, caller: context.pdpCaller, request: request)
            let version = outcome.first?.decision?.policyVersion ?? plane.decisions.snapshot.version
            return Self.json(
                AuthZENResponse.decision(outcome[0], explain: batch.explain, always: true), status: .ok, version: version)
        }
        group.post("evaluations") { request, context -> Response in
            let batch = try AuthZENBatch(json: try await Self.body(request))
            let outcomes = try plane.pdp.decide(batch, at: Date())
            try await audit(outcomes, caller: context.pdpCaller, request: request)
            let version = outcomes.first { $0.decision != nil }?.decision?.policyVersion ?? plane.decisions.snapshot.version
            let body =
                batch.items.isEmpty
                ? AuthZENResponse.decision(outcomes[0], explain: batch.explain, always: true)
                : AuthZENResponse.evaluations(outcomes, explain: batch.explain, policyVersion: version)
            return Self.json(body, status: .ok, version: version)
        }
        for kind in AuthZENSearch.Kind.allCases {
            group.post("search/\(kind.rawValue)") { request, _ -> Response in
                let body = try await Self.body(request)
                let answer = try AuthZENSearch(pdp: plane.pdp).search(kind, body: body, at: Date())
                return Self.json(answer, status: .ok, version: plane.decisions.snapshot.version)
            }
        }
    }

    /// Appends one decision record per decided outcome, all at once (so group commit batches them),
    /// before the answer leaves; a log that cannot write fails the request (503).
    private func audit(_ outcomes: [AuthZENPDP.Outcome], caller: String?, request: Request) async throws(CustosError) {
        for outcome in outcomes {
            if let name = outcome.decision?.outcomeName, let decision = AuditRecord.Decision(rawValue: name) {
                plane.metrics.countDecision(decision)
            }
        }
        guard plane.configuration.authzenAuditDecisions else { return }
        let requestID = request.requestID
        let records = outcomes.compactMap { outcome -> AuditRecord? in
            guard let evaluation = outcome.evaluation, let decision = outcome.decision else { return nil }
            var record = AuditRecord(kind: .decision, event: "authzen.evaluation")
            record.executedBy = evaluation.subject.uid.description
            record.action = evaluation.action
            record.resource = evaluation.resource.uid.description
            record.decision = AuditRecord.Decision(rawValue: decision.outcomeName)
            record.policies = decision.reason
            record.policyVersion = String(decision.policyVersion)
            record.details = ["caller": .string(caller ?? "anonymous")]
            if let requestID { record.traceID = requestID }
            return record
        }
        let log = plane.audit
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for record in records {
                    group.addTask { _ = try await log.append(record) }
                }
                try await group.waitForAll()
            }
        } catch let error as CustosError {
            throw error
        } catch {
            throw .unavailable("the audit log cannot record the decision")
        }
    }

    static func body(_ request: Request, limit: Int = maximumBodyBytes) async throws -> JSONValue {
        let buffer = try await request.collectBody(upTo: limit)
        do {
            return try JSONValue.decode(Data(buffer.readableBytesView))
        } catch {
            throw CustosError.invalidRequest("the request body is not valid JSON: \(error.message)")
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status, version: Int? = nil) -> Response {
        var response = Response.json(value, status: status)
        if let version { response.headers[.custosPolicyVersion] = String(version) }
        return response
    }
}

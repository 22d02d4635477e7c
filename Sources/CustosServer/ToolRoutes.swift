import Cedar
import CustosAudit
import CustosCore
import CustosGuardrails
import CustosStore
import Foundation
import Hummingbird
import NIOCore

/// `/v1/tools` (admin): MCP tool pinning. `POST /v1/tools/observe` takes a server's `tools/list`
/// result, pins what is new, blocks what changed, and reports poisoning findings; every change and
/// finding is audited. `GET /v1/tools`, `GET /v1/tools/{server}/{tool}/diff` and
/// `POST /v1/tools/{server}/{tool}/approve {"digest"}` let an operator review and approve.
struct ToolRoutes {
    let plane: ControlPlane
    var pins: ToolPins { ToolPins(repository: plane.store.toolPins) }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.get { request, _ -> Response in
            let server = request.uri.queryParameters.get("server")
            let list: [JSONValue]
            do throws(GuardrailError) {
                list = try await pins.repository.pins(server: server).map(Self.json)
            } catch {
                throw Self.error(error)
            }
            return Response.json(.object(["tools": .array(list)]))
        }
        group.post("observe") { request, context -> Response in
            let body = Data(try await request.collectBody(upTo: ToolDefinition.maximumBytes).readableBytesView)
            guard case .string(let server)? = (try? JSONValue.decode(body))?["server"] else {
                throw CustosError.invalidRequest("the body is {\"server\": NAME, \"tools\": [...]} (a tools/list result with its server)")
            }
            let observation: ToolPins.Observation
            do throws(GuardrailError) {
                observation = try await pins.observe(try ToolDefinition.parse(toolsList: body, server: server))
            } catch {
                throw Self.error(error)
            }
            for (tool, status, approved) in observation.statuses where status != .allowed {
                var details: [String: JSONValue] = ["server": .string(server), "tool": .string(tool.name), "digest": .string(tool.digest)]
                if let approved { details["approved_digest"] = .string(approved) }
                try await plane.audit.recordEvent("tool.\(status.rawValue)", authorizedBy: "admin", details: details)
            }
            for finding in observation.findings {
                try await plane.audit.recordEvent(
                    "tool.poisoning", authorizedBy: "admin",
                    details: [
                        "server": .string(finding.server), "tool": .string(finding.tool), "kind": .string(finding.kind.rawValue),
                        "detail": .string(String(finding.detail.prefix(512))),
                    ])
            }
            return Response.json(.object([
                "server": .string(server),
                "tools": .array(observation.statuses.map { tool, status, approved in
                    var fields: [String: JSONValue] = [
                        "name": .string(tool.name), "status": .string(status.rawValue), "digest": .string(tool.digest),
                    ]
                    if let approved { fields["approved_digest"] = .string(approved) }
                    return .object(fields)
                }),
                "findings": .array(observation.findings.map {
                    .object(["tool": .string($0.tool), "kind": .string($0.kind.rawValue), "detail": .string($0.detail)])
                }),
            ]))
        }
        group.get(":server/:tool/diff") { _, context -> Response in
            let (server, tool) = try Self.names(context)
            let changes: [(field: String, approved: JSONValue?, pending: JSONValue?)]
            do throws(GuardrailError) {
                changes = try await pins.diff(server: server, tool: tool)
            } catch {
                throw Self.error(error)
            }
            return Response.json(.object([
                "server": .string(server), "tool": .string(tool),
                "changes": .array(changes.map { field, approved, pending in
                    .object(["field": .string(field), "approved": approved ?? .null, "pending": pending ?? .null])
                }),
            ]))
        }
        group.post(":server/:tool/approve") { request, context -> Response in
            let (server, tool) = try Self.names(context)
            let body = try await request.collectBody(upTo: 4096)
            guard case .string(let digest)? = (try? JSONValue.decode(Data(body.readableBytesView)))?["digest"] else {
                throw CustosError.invalidRequest("the body is {\"digest\": the pending digest from the diff}")
            }
            let pin: ToolPin
            do throws(GuardrailError) {
                pin = try await pins.approve(server: server, tool: tool, digest: digest, by: "admin")
            } catch {
                throw Self.error(error)
            }
            try await plane.audit.recordEvent(
                "tool.approved", details: ["server": .string(server), "tool": .string(tool), "digest": .string(digest)])
            return Response.json(Self.json(pin))
        }
    }

    static func error(_ error: GuardrailError) -> CustosError {
        switch error.kind {
        case .invalid: .invalidRequest(error.message)
        case .notFound: .notFound(error.message)
        case .conflict: .conflict(error.message)
        case .unavailable: .unavailable(error.message)
        }
    }

    static func names(_ context: CustosRequestContext) throws -> (String, String) {
        guard let server = context.parameters.get("server")?.removingPercentEncoding,
            let tool = context.parameters.get("tool")?.removingPercentEncoding
        else { throw CustosError.invalidRequest("a server and a tool name are required") }
        return (server, tool)
    }

    static func json(_ pin: ToolPin) -> JSONValue {
        var fields: [String: JSONValue] = [
            "server": .string(pin.server), "tool": .string(pin.tool),
            "status": .string(pin.pendingDigest == nil ? "approved" : (pin.approvedDigest == nil ? "blocked" : "changed")),
            "first_seen_at": .string(AuditTime.format(microseconds: Int64(pin.firstSeenAt.timeIntervalSince1970 * 1_000_000))),
        ]
        if let digest = pin.approvedDigest { fields["approved_digest"] = .string(digest) }
        if let digest = pin.pendingDigest { fields["pending_digest"] = .string(digest) }
        if let by = pin.approvedBy { fields["approved_by"] = .string(by) }
        return .object(fields)
    }
}

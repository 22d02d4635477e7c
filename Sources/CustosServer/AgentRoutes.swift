import Cedar
import CustosAudit
public import CustosCore
import Foundation
public import Hummingbird

extension Agent: ResponseEncodable {}

/// A page of agents; `next` is the cursor for the following page, absent on the last.
struct AgentPage: ResponseEncodable {
    var agents: [Agent]
    var next: String?
}

/// `/v1/agents`: the agent registry, for administrators.
struct AgentRoutes {
    let registry: AgentRegistry
    /// Every change is audited; when the log cannot write, the request fails with 503 (the change
    /// itself has been made, and the failure shows in `/readyz`).
    let audit: AuditLog
    let killSwitch: KillSwitch

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post { request, context in
            let registration = try await request.decodeJSON(AgentRegistration.self, context: context)
            let agent = try await registry.register(registration)
            try await audit.recordEvent("agent.registered", agent: agent)
            var response = try agent.response(from: request, context: context)
            response.status = .created
            response.headers[.location] = "/v1/agents/\(agent.id)"
            return response
        }
        group.get { request, _ -> AgentPage in
            let limit = try request.uri.queryParameters.get("limit").map { (text: String) throws -> Int in
                guard let n = Int(text) else { throw CustosError.invalidRequest("limit must be a number") }
                return n
            } ?? 100
            let after = try request.uri.queryParameters.get("after").map { try AgentID(String($0)) }
            let agents = try await registry.agents(after: after, limit: limit)
            return AgentPage(agents: agents, next: agents.count == limit ? agents.last?.id.rawValue : nil)
        }
        group.get(":id") { _, context -> Agent in
            try await registry.agent(try Self.id(context))
        }
        group.patch(":id") { request, context -> Agent in
            let update = try await request.decodeJSON(AgentUpdate.self, context: context)
            let agent = try await registry.update(try Self.id(context), with: update)
            try await audit.recordEvent("agent.updated", agent: agent)
            return agent
        }
        group.delete(":id") { _, context -> Response in
            let agent = try await registry.agent(try Self.id(context))
            // Revoked first, so that a later agent with the same id never honours this one's credentials.
            let revocation = try await killSwitch.revoke(.agent, target: agent.id.rawValue, reason: "agent deleted", by: "admin")
            try await registry.delete(agent.id)
            try await audit.recordEvent(
                "agent.deleted", agent: agent, details: ["revocation_epoch": .integer(Int64(revocation.epoch))])
            return Response(status: .noContent)
        }
        group.post(":id/suspend") { _, context -> Agent in
            let id = try Self.id(context)
            _ = try await killSwitch.kill(.agent, target: id.rawValue, reason: "suspended", by: "admin")
            return try await registry.agent(id)
        }
        group.post(":id/reactivate") { _, context -> Agent in
            let agent = try await registry.reactivate(try Self.id(context))
            try await audit.recordEvent("agent.reactivated", agent: agent)
            return agent
        }
    }

    static func id(_ context: CustosRequestContext) throws -> AgentID {
        guard let text = context.parameters.get("id") else { throw CustosError.invalidRequest("missing agent id") }
        do {
            return try AgentID(text)
        } catch {
            throw CustosError.notFound("no agent with id \(text)")
        }
    }
}

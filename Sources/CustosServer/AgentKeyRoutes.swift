import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
public import CustosStore
import Foundation
public import Hummingbird

extension AgentKey: ResponseEncodable {}

/// `/v1/agents/{id}/keys` (admin): the public keys an agent signs `private_key_jwt` assertions with,
/// its bootstrap without a join token. At most eight per agent; private keys are refused.
struct AgentKeyRoutes {
    let plane: ControlPlane

    struct KeyList: ResponseEncodable {
        var keys: [AgentKey]
    }

    func register(on group: RouterGroup<CustosRequestContext>) {
        group.post(":id/keys") { request, context -> Response in
            let agent = try await plane.registry.agent(try AgentRoutes.id(context))
            let buffer = try await request.collectBody(upTo: 16 * 1024)
            guard let jwk = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
                throw CustosError.invalidRequest("the body must be one public JWK (a JSON object)")
            }
            _ = try VerificationKey(jwk: jwk)
            let thumbprint = try VerificationKey.thumbprint(jwk)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: jwk, options: [.sortedKeys]), as: UTF8.self)
            let now = Date()
            guard try await plane.store.agentKeys.add(agent: agent.id, thumbprint: thumbprint, jwk: text, at: now) else {
                throw CustosError.conflict("agent \(agent.id) already has the key \(thumbprint)")
            }
            try await plane.audit.recordEvent("agent_key.added", agent: agent, details: ["thumbprint": .string(thumbprint)])
            var response = try AgentKey(thumbprint: thumbprint, jwk: text, createdAt: now).response(from: request, context: context)
            response.status = .created
            return response
        }
        group.get(":id/keys") { _, context -> KeyList in
            let agent = try await plane.registry.agent(try AgentRoutes.id(context))
            return KeyList(keys: try await plane.store.agentKeys.keys(of: agent.id))
        }
        group.delete(":id/keys/:thumbprint") { _, context -> Response in
            let agent = try await plane.registry.agent(try AgentRoutes.id(context))
            let thumbprint = context.parameters.get("thumbprint") ?? ""
            guard try await plane.store.agentKeys.remove(agent: agent.id, thumbprint: thumbprint) else {
                throw CustosError.notFound("agent \(agent.id) has no key \(thumbprint)")
            }
            try await plane.audit.recordEvent("agent_key.removed", agent: agent, details: ["thumbprint": .string(thumbprint)])
            return Response(status: .noContent)
        }
    }
}

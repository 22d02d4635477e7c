import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import Foundation
import Hummingbird
import X509

/// `POST /v1/svid/x509`: an agent instance, authenticated by its JWT-SVID for Custos's issuer
/// identifier, sends a CSR and gets an X.509-SVID for mTLS. The SPIFFE ID in the certificate is the
/// caller's, from its verified credential; the CSR only proves the key.
struct X509SVIDRoute {
    let plane: ControlPlane
    static let defaultLifetime = 3600

    struct Issue: Decodable {
        var csr: String
        var ttl: Int?
    }

    struct Issued: ResponseEncodable {
        var spiffeID: String
        var certificate: String
        var bundle: String
        var expiresAt: Date

        enum CodingKeys: String, CodingKey {
            case spiffeID = "spiffe_id"
            case certificate, bundle
            case expiresAt = "expires_at"
        }
    }

    func register(on router: Router<CustosRequestContext>) {
        router.post("v1/svid/x509") { request, context -> Response in
            guard let token = request.bearerToken(maxHeaderLength: 8192) else {
                throw CustosError.unauthorized("this endpoint requires the agent's JWT-SVID for \(plane.configuration.effectiveIssuer)")
            }
            let caller = try plane.verifier.verify(
                token, audience: plane.configuration.effectiveIssuer, now: Date(), dpop: request.dpopPresentation(plane))
            let body = try await request.decodeJSON(Issue.self, context: context)
            let agent = try await plane.registry.agent(caller.agent)
            try plane.revocations.checkIssuable(agent: agent.id, instance: caller.instance)
            if let ttl = body.ttl, ttl <= 0 { throw CustosError.invalidRequest("ttl must be a positive number of seconds") }
            let lifetime = min(body.ttl ?? Self.defaultLifetime, agent.blueprint.maxCredentialTTLSeconds)
            let certificate = try plane.x509.issue(
                csrPEM: body.csr, for: caller.spiffeID, lifetime: TimeInterval(lifetime), now: Date())
            let pem = X509Authority.pem(certificate)
            // Released only once the issuance is durable in the audit log.
            try await plane.audit.recordEvent(
                "x509_svid.issued", agent: agent, executedBy: caller.spiffeID.description, authorizedBy: caller.spiffeID.description,
                details: [
                    "serial": .string(certificate.serialNumber.description),
                    "expires": .integer(Int64(certificate.notValidAfter.timeIntervalSince1970)),
                ])
            var response = try Issued(
                spiffeID: caller.spiffeID.description, certificate: pem, bundle: plane.x509.bundlePEM,
                expiresAt: certificate.notValidAfter
            ).response(from: request, context: context)
            response.status = .created
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}

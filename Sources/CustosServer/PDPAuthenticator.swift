import CustosCore
import CustosIdentity
import Foundation
import Hummingbird
import Logging

/// Authenticates callers of the AuthZEN endpoints: the admin credential, or the JWT-SVID of an agent
/// whose audience is `authzen.audience` and whose blueprint holds the scope `pdp:evaluate` (a gateway
/// registered as an agent). Only when the configuration sets `authzen.allow_unauthenticated` is a
/// caller without a valid credential answered, as `anonymous`.
struct PDPAuthenticator: RouterMiddleware {
    typealias Context = CustosRequestContext
    let plane: ControlPlane
    static let scope = "pdp:evaluate"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.pdpCaller = try await caller(request, logger: context.logger)
        return try await next(request, context)
    }

    private func caller(_ request: Request, logger: Logger) async throws(CustosError) -> String {
        let open = plane.configuration.authzenAllowUnauthenticated
        guard let token = request.bearerToken(maxHeaderLength: 8192) else {
            if open { return "anonymous" }
            throw .unauthorized("the decision point requires a bearer credential")
        }
        if plane.adminCredential.accepts(token) { return "admin" }
        do throws(CustosError) {
            let svid = try plane.verifier.verify(
                token, audience: plane.configuration.authzenAudience, now: Date(), dpop: request.dpopPresentation(plane))
            let agent = try await plane.registry.agent(svid.agent)
            guard agent.blueprint.scopes.contains(Self.scope) else {
                throw .forbidden("agent \(agent.id) may not ask the decision point (scope \(Self.scope))")
            }
            return svid.spiffeID.description
        } catch {
            if open { return "anonymous" }
            logger.notice("decision point request without a valid credential", metadata: ["path": "\(request.uri.path)"])
            throw error
        }
    }
}

extension Request {
    /// The caller's `X-Request-ID` when it is 1-256 printable ASCII characters (anything else is ignored,
    /// never echoed or logged).
    var requestID: String? {
        guard let id = headers[.xRequestID], (1...256).contains(id.utf8.count),
            id.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else { return nil }
        return id
    }
}

/// Echoes `X-Request-ID` on every answer of the routes it guards, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = CustosRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let id = request.requestID
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as CustosError {
            response = try ErrorMiddleware.response(for: error, request: request, context: context)
        }
        if let id { response.headers[.xRequestID] = id }
        return response
    }
}

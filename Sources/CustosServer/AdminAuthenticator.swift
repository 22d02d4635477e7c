public import Hummingbird
public import CustosIdentity
import CustosCore
import Logging

/// Requires `Authorization: Bearer <admin token>` on every route it guards.
public struct AdminAuthenticator: RouterMiddleware {
    public typealias Context = CustosRequestContext
    let credential: AdminCredential

    public init(credential: AdminCredential) {
        self.credential = credential
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let token = request.bearerToken(maxHeaderLength: 512), credential.accepts(token) else {
            // The token itself is never logged.
            context.logger.notice("admin request without a valid credential", metadata: ["path": "\(request.uri.path)"])
            throw CustosError.unauthorized("this endpoint requires the admin credential as a bearer token")
        }
        var context = context
        context.isAdmin = true
        return try await next(request, context)
    }
}

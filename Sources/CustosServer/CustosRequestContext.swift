public import Hummingbird
import NIOCore
import Foundation
public import CustosCore
import CustosIdentity
import Logging
import Cedar

/// The request context of every Custos route: records whether the caller presented the admin
/// credential.
public struct CustosRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AdminAuthenticator`` once the admin token checked out.
    public var isAdmin = false
    /// Who asks the decision point (`admin`, an agent's SPIFFE ID, or `anonymous` where the
    /// configuration allows it); set by the PDP authenticator.
    public var pdpCaller: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Control-plane requests are small; anything bigger is refused before it is decoded.
    public var maxUploadSize: Int { 64 * 1024 }
}

extension Request {
    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), when the
    /// header is at most `maxHeaderLength` bytes.
    func bearerToken(maxHeaderLength: Int) -> String? {
        guard let header = headers[.authorization], header.utf8.count <= maxHeaderLength else { return nil }
        // `Bearer`, or `DPoP` for a DPoP-bound token (RFC 9449 §7.1); the scheme is case-insensitive.
        for scheme in ["bearer ", "dpop "] {
            let prefix = header.utf8.prefix(scheme.utf8.count)
            if prefix.count == scheme.utf8.count,
                zip(prefix, scheme.utf8).allSatisfy({ $1 == 0x20 ? $0 == 0x20 : $0 | 0x20 == $1 })
            {
                return String(header.dropFirst(scheme.utf8.count))
            }
        }
        return nil
    }

    /// The DPoP proof the request carries, with the method and URL it must name (RFC 9449 §7.1), for
    /// verifying a DPoP-bound token presented with it.
    func dpopPresentation(_ plane: ControlPlane) -> DPoPPresentation? {
        guard let proof = headers[.dpop] else { return nil }
        return DPoPPresentation(proof: proof, method: method.rawValue, url: plane.publicURL(for: self))
    }

    /// The whole body, refused with a 400 when it is larger than `limit` bytes.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch {
            throw CustosError.invalidRequest("the request body is larger than \(limit) bytes")
        }
    }

    /// Decodes a JSON body of at most `limit` bytes (default `context.maxUploadSize`); malformed input
    /// is a 400 that says what was wrong, never a 500.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: CustosRequestContext, limit: Int? = nil) async throws -> T {
        let buffer = try await collectBody(upTo: limit ?? context.maxUploadSize)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as CustosError {
            throw error
        } catch DecodingError.keyNotFound(let key, _) {
            throw CustosError.invalidRequest("the field `\(key.stringValue)` is required")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CustosError.invalidRequest("the field `\(path)` has the wrong type")
        } catch {
            throw CustosError.invalidRequest("the request body is not valid JSON for this endpoint")
        }
    }
}

extension Response {
    /// A JSON answer written by `JSONValue` (keys sorted, no whitespace).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: value.encoded())))
        response.headers[.contentType] = "application/json"
        return response
    }

    /// A JSON answer of a Foundation object (keys sorted); `noStore` for answers that carry or describe
    /// credentials, which no cache may keep.
    static func json(object: [String: Any], status: HTTPResponse.Status = .ok, noStore: Bool = false) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = "application/json"
        if noStore { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// The error body every endpoint uses: `{"error": "<code>", "message": "..."}`.
struct ErrorBody: ResponseEncodable {
    var error: String
    var message: String
}

/// Turns errors into JSON responses with the right status; unexpected errors become a 500 whose
/// details go to the log only.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = CustosRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as CustosError {
            return try Self.response(for: error, request: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = Self.allowedMethods(request.uri.path) {
                var response = try Self.response(
                    for: .invalidRequest("method \(request.method) is not allowed here"), request: request, context: context)
                response.status = .methodNotAllowed
                response.headers[.allow] = allowed
                return response
            }
            return try Self.response(for: .notFound("no such endpoint"), request: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try Self.response(for: .internalError("internal error"), request: request, context: context)
        }
    }

    /// The methods a known path accepts, for the `405` answer to any other method.
    static func allowedMethods(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch Array(parts) {
        case ["healthz"], ["readyz"], ["openapi.json"], [".well-known", "jwks.json"]: return "GET"
        case ["oauth2", "token"], ["oauth2", "introspect"], ["oauth2", "revoke"]: return "POST"
        case ["v1", "agents"], ["v1", "kill"]: return "GET, POST"
        case let p where p.count == 3 && p[0] == "v1" && p[1] == "agents": return "GET, PATCH, DELETE"
        case let p where p.count == 4 && p[0] == "v1" && p[1] == "agents" && ["suspend", "reactivate", "join-tokens"].contains(p[3]):
            return "POST"
        case let p where p.count == 4 && p[0] == "v1" && p[1] == "agents" && p[3] == "keys": return "GET, POST"
        case let p where p.count == 5 && p[0] == "v1" && p[1] == "agents" && p[3] == "keys": return "DELETE"
        case ["v1", "audit"], ["v1", "audit", "records"], ["v1", "audit", "checkpoint"], ["v1", "audit", "proofs", "inclusion"],
            ["v1", "audit", "proofs", "consistency"], ["v1", "audit", "bundle"], ["v1", "audit", "export"]:
            return "GET"
        case let p where p.count == 4 && p[0] == "v1" && p[1] == "audit" && p[2] == "records": return "GET"
        case ["v1", "audit", "checkpoints"], ["v1", "audit", "events"], ["v1", "svid", "x509"]: return "POST"
        case ["v1", "policies"]: return "GET, POST"
        case ["v1", "keys"], ["v1", "tools"], ["v1", "metrics"]: return "GET"
        case ["v1", "tools", "observe"]: return "POST"
        case let p where p.count == 5 && p[0] == "v1" && p[1] == "tools" && p[4] == "diff": return "GET"
        case let p where p.count == 5 && p[0] == "v1" && p[1] == "tools" && p[4] == "approve": return "POST"
        case ["v1", "keys", "rotate"]: return "POST"
        case ["v1", "policies", "diff"]: return "GET"
        case ["v1", "policies", "rollback"], ["v1", "policies", "dry-run"]: return "POST"
        case let p where p.count == 3 && p[0] == "v1" && p[1] == "policies": return "GET"
        case let p where p.count == 4 && p[0] == "v1" && p[1] == "policies" && p[3] == "activate": return "POST"
        case ["access", "v1", "evaluation"], ["access", "v1", "evaluations"], ["access", "v1", "search", "subject"],
            ["access", "v1", "search", "resource"], ["access", "v1", "search", "action"]:
            return "POST"
        case [".well-known", "authzen-configuration"]: return "GET"
        default: return nil
        }
    }

    static func status(for error: CustosError) -> HTTPResponse.Status {
        switch error.code {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }

    static func response(for error: CustosError, request: Request, context: Context) throws -> Response {
        var response = try ErrorBody(error: error.code.description, message: error.message)
            .response(from: request, context: context)
        response.status = status(for: error)
        if error.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import CustosStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A one-time join token, shown once to the administrator who created it.
struct JoinTokenResponse: ResponseEncodable {
    var token: String
    var agentID: String
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case token
        case agentID = "agent_id"
        case expiresAt = "expires_at"
    }
}

/// A successful token response (RFC 6749 §5.1, RFC 8693 §2.2.1).
struct TokenResponse: ResponseEncodable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresIn: Int
    var issuedTokenType = "urn:ietf:params:oauth:token-type:jwt"
    var spiffeID: String?
    var scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case issuedTokenType = "issued_token_type"
        case spiffeID = "spiffe_id"
        case scope
    }

    /// `DPoP` for a token bound to a DPoP key (`cnf.jkt`), else `Bearer` (RFC 9449 §5).
    static func tokenType(boundTo confirmation: String?) -> String { confirmation == nil ? "Bearer" : "DPoP" }
}

/// Join tokens, the token endpoint and the trust bundle.
struct IdentityRoutes {
    static let joinTokenGrant = "urn:custos:params:oauth:grant-type:join-token"
    static let joinTokenLifetime: TimeInterval = 600

    let plane: ControlPlane

    /// `POST /v1/agents/{id}/join-tokens` (admin): a one-time token, valid 10 minutes, stored hashed.
    func registerAdmin(on group: RouterGroup<CustosRequestContext>) {
        group.post(":id/join-tokens") { request, context -> Response in
            let agent = try await plane.registry.agent(try AgentRoutes.id(context))
            guard agent.status == .active else { throw CustosError.conflict("agent \(agent.id) is \(agent.status.rawValue)") }
            let token = SecretToken.generate(prefix: "custos_join_")
            let expiresAt = Date().addingTimeInterval(Self.joinTokenLifetime)
            try await plane.store.joinTokens.insertJoinToken(digest: SecretToken.hexDigest(token), agent: agent.id, expiresAt: expiresAt)
            let expiry = AuditTime.format(microseconds: Int64(expiresAt.timeIntervalSince1970) * 1_000_000)
            try await plane.audit.recordEvent("join_token.issued", agent: agent, details: ["expires_at": .string(expiry)])
            var response = try JoinTokenResponse(token: token, agentID: agent.id.rawValue, expiresAt: expiresAt)
                .response(from: request, context: context)
            response.status = .created
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }

    /// `POST /oauth2/token` and `GET /.well-known/jwks.json` (open).
    func registerPublic(on router: Router<CustosRequestContext>) {
        router.post("oauth2/token") { request, context -> Response in
            do {
                return try await token(request, context)
            } catch let error as OAuthError {
                return Self.oauthResponse(error)
            }
        }
        router.get(".well-known/jwks.json") { _, _ -> Response in
            let bundle: [String: Any] = [
                "keys": plane.keyRing.all.map(\.publicJWK) + [plane.x509.bundleJWK], "spiffe_sequence": plane.keyRing.sequence,
                "spiffe_refresh_hint": 300,
            ]
            let data = try JSONSerialization.data(withJSONObject: bundle, options: [.sortedKeys])
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            response.headers[.contentType] = "application/json"
            return response
        }
    }

    static func oauthResponse(_ error: OAuthError) -> Response {
        Response.json(
            object: ["error": error.code, "error_description": error.description],
            status: error.status == 401 ? .unauthorized : .badRequest, noStore: true)
    }

    private func token(_ request: Request, _ context: CustosRequestContext) async throws -> Response {
        let form = try await FormBody.read(request)
        switch form["grant_type"] {
        case nil:
            throw OAuthError.invalidRequest("grant_type is required")
        case Self.joinTokenGrant:
            return try await joinTokenExchange(form, request, context)
        case TokenExchange.grantType:
            return try await TokenExchange(plane: plane).exchange(form, request, context)
        case ClientAssertionGrant.grantType:
            return try await ClientAssertionGrant(plane: plane).issue(form, request, context)
        default:
            throw OAuthError.unsupportedGrantType(
                "supported: \(Self.joinTokenGrant), \(TokenExchange.grantType), \(ClientAssertionGrant.grantType)")
        }
    }

    /// The join-token grant: a one-time join token for the agent's first JWT-SVID.
    private func joinTokenExchange(_ form: [String: String], _ request: Request, _ context: CustosRequestContext)
        async throws -> Response
    {
        guard let joinToken = form["join_token"], form["audience"] != nil else {
            throw OAuthError.invalidRequest("join_token and audience are required")
        }
        // Checked before the join token is spent, so a typo does not burn it.
        let (audience, instance, requestedTTL) = try FormBody.svidRequest(form)
        let now = Date()
        let confirmation = try Self.proofKey(request, plane: plane, now: now)
        // The join token is consumed before anything else can fail on its account: a replay never succeeds.
        guard let agentID = try await plane.store.joinTokens.consumeJoinToken(digest: SecretToken.hexDigest(joinToken), now: now) else {
            context.logger.notice("join token rejected")  // the token itself is never logged
            throw OAuthError.invalidGrant("the join token is unknown, expired or already used")
        }
        let agent: Agent
        do {
            agent = try await plane.registry.agent(agentID)
        } catch {
            throw OAuthError.invalidGrant("the agent no longer exists")
        }
        return try await Self.releaseSVID(
            plane: plane, agent: agent, instance: instance, audience: audience, requestedTTL: requestedTTL,
            authorizedBy: "join_token", confirmation: confirmation, now: now, request: request, context: context)
    }

    /// The thumbprint of the key of the DPoP proof a token request carries (RFC 9449 §5), checked
    /// (type, algorithm, signature, method, URL, time, replay), or nil without one: the token issued
    /// will be bound to that key.
    static func proofKey(_ request: Request, plane: ControlPlane, now: Date) throws(OAuthError) -> String? {
        guard let proof = request.headers[.dpop] else { return nil }
        return try plane.grantVerifier.dpop.verify(
            DPoPPresentation(proof: proof, method: "POST", url: plane.publicURL(for: request)), accessToken: nil, now: now)
    }

    /// A token presented in a token request's body that is bound to the key `bound` passes only when
    /// the request's own proof (``proofKey(_:plane:now:)``) is by that key.
    static func requireProof(by bound: String?, in proofKey: String?, for role: String) throws(OAuthError) {
        if let bound, bound != proofKey {
            throw .invalidGrant("the \(role) is DPoP-bound: the request needs a DPoP proof by its key")
        }
    }

    /// Issues a JWT-SVID for `instance` of `agent` (unless the agent is not active or the instance is
    /// revoked: `invalid_grant`), records the instance, and answers with it once its issuance is
    /// durable in the audit log (`credential.issued`, authorized by `authorizedBy`).
    static func releaseSVID(
        plane: ControlPlane, agent: Agent, instance: String, audience: String, requestedTTL: Int?, authorizedBy: String,
        confirmation: String?, now: Date, request: Request, context: CustosRequestContext
    ) async throws -> Response {
        let issued: (token: String, claims: SVIDClaims)
        do {
            try plane.revocations.checkIssuable(agent: agent.id, instance: instance)
            issued = try plane.issuer.issue(
                for: agent, instance: instance, audience: audience, requestedTTL: requestedTTL, now: now,
                epoch: plane.revocations.currentEpoch, confirmation: confirmation)
        } catch {
            throw OAuthError.invalidGrant(error.message)
        }
        try await plane.store.joinTokens.recordInstance(agent: agent.id, instance: instance, at: now)
        try await plane.audit.recordEvent(
            "credential.issued", agent: agent, executedBy: issued.claims.sub, authorizedBy: authorizedBy,
            details: ["audience": .string(audience), "jti": .string(issued.claims.jti), "expires": .integer(issued.claims.exp)])
        var response = try TokenResponse(
            accessToken: issued.token, tokenType: TokenResponse.tokenType(boundTo: confirmation),
            expiresIn: Int(issued.claims.exp - issued.claims.iat), spiffeID: issued.claims.sub
        ).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// `application/x-www-form-urlencoded` bodies: each parameter Custos reads at most once (RFC 6749
/// §3.2); parameters it does not know are ignored (RFC 6749 §3.1), repeated or not.
enum FormBody {
    static let limit = 16 * 1024
    static let parameters: Set<String> = [
        "grant_type", "join_token", "audience", "resource", "instance", "ttl", "subject_token", "subject_token_type",
        "actor_token", "actor_token_type", "requested_token_type", "scope", "single_use", "client_assertion",
        "client_assertion_type", "client_id", "token", "token_type_hint",
    ]

    /// The form of an OAuth endpoint's request: that content type, at most 16 KiB.
    static func read(_ request: Request) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw OAuthError.invalidRequest("this endpoint takes application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw OAuthError.invalidRequest("the request is larger than \(limit) bytes")
        }
        return try parse(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    static func parse(_ text: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.utf8.split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else {
                throw OAuthError.invalidRequest("the form body is not valid percent-encoding of UTF-8")
            }
            guard Self.parameters.contains(key) else { continue }
            guard fields.updateValue(value, forKey: key) == nil else {
                throw OAuthError.invalidRequest("the parameter \(key) appears more than once")
            }
        }
        return fields
    }

    /// `+` is a space, `%XX` a byte; the bytes must be UTF-8. Nil for a malformed escape or invalid UTF-8.
    private static func decode(_ encoded: some Collection<UInt8>) -> String? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index != encoded.endIndex {
            let byte = encoded[index]
            if byte == UInt8(ascii: "%") {
                let first = encoded.index(after: index)
                guard first != encoded.endIndex, encoded.index(after: first) != encoded.endIndex,
                    let high = hex(encoded[first]), let low = hex(encoded[encoded.index(after: first)])
                else { return nil }
                bytes.append(high << 4 | low)
                index = encoded.index(first, offsetBy: 2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = encoded.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// What a request for a JWT-SVID names: `audience` (1-512 bytes), `instance` (a valid instance
    /// name; a new random one when absent) and the optional `ttl`.
    static func svidRequest(_ form: [String: String]) throws -> (audience: String, instance: String, ttl: Int?) {
        guard let audience = form["audience"], !audience.isEmpty, audience.utf8.count <= 512 else {
            throw OAuthError.invalidRequest("audience must be 1-512 bytes")
        }
        let instance = form["instance"] ?? UUID().uuidString.lowercased()
        do {
            try SPIFFEID.validateInstanceName(instance)
        } catch {
            throw OAuthError.invalidRequest(error.message)
        }
        return (audience, instance, try ttl(form))
    }

    /// The optional `ttl` parameter: a positive number of seconds.
    static func ttl(_ form: [String: String]) throws -> Int? {
        try form["ttl"].map { (text: String) throws -> Int in
            guard let n = Int(text), n > 0 else { throw OAuthError.invalidRequest("ttl must be a positive number of seconds") }
            return n
        }
    }
}

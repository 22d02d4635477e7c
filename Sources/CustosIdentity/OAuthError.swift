/// An OAuth error (RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 9449 §5): a code from the registries and a
/// description safe to show to the client (it never contains a token).
public struct OAuthError: Error, Sendable, Equatable {
    public var code: String
    public var description: String
    /// The HTTP status: 401 for client authentication failures, 400 otherwise.
    public var status: Int { code == "invalid_client" ? 401 : 400 }

    public init(code: String, description: String) {
        self.code = code
        self.description = description
    }

    public static func invalidRequest(_ d: String) -> OAuthError { OAuthError(code: "invalid_request", description: d) }
    public static func invalidGrant(_ d: String) -> OAuthError { OAuthError(code: "invalid_grant", description: d) }
    public static func invalidScope(_ d: String) -> OAuthError { OAuthError(code: "invalid_scope", description: d) }
    public static func invalidTarget(_ d: String) -> OAuthError { OAuthError(code: "invalid_target", description: d) }
    public static func invalidClient(_ d: String) -> OAuthError { OAuthError(code: "invalid_client", description: d) }
    public static func invalidDPoPProof(_ d: String) -> OAuthError { OAuthError(code: "invalid_dpop_proof", description: d) }
    public static func unsupportedGrantType(_ d: String) -> OAuthError { OAuthError(code: "unsupported_grant_type", description: d) }
    public static func unsupportedTokenType(_ d: String) -> OAuthError { OAuthError(code: "unsupported_token_type", description: d) }
}

import HTTPTypes

extension HTTPField.Name {
    /// The paging cursor of `/v1/audit/export`.
    static let custosNext = HTTPField.Name("Custos-Next")!
    /// The policy-set version a decision was made under.
    static let custosPolicyVersion = HTTPField.Name("Custos-Policy-Version")!
    /// A caller's request id, echoed by the decision point.
    static let xRequestID = HTTPField.Name("X-Request-ID")!
    /// A DPoP proof (RFC 9449).
    static let dpop = HTTPField.Name("DPoP")!
}

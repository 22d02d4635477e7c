import CustosAudit
import CustosCore
import Hummingbird

/// Query parameters of `/v1/audit/records`.
enum AuditQueryParameters {
    static func number(_ text: String?, _ name: String) throws(CustosError) -> UInt64 {
        guard let text else { throw .invalidRequest("the parameter `\(name)` is required") }
        guard let n = UInt64(text), n < 1 << 62 else { throw .invalidRequest("`\(name)` must be a non-negative integer") }
        return n
    }

    /// Any RFC 3339 time.
    static func time(_ text: String, _ name: String) throws(CustosError) -> Int64 {
        guard let time = AuditTime.parseRFC3339(text) else {
            throw .invalidRequest("`\(name)` must be an RFC 3339 time such as 2026-11-27T13:00:00Z")
        }
        return time
    }

    static func query(from parameters: Hummingbird.Parameters) throws(CustosError) -> AuditQuery {
        var query = AuditQuery()
        func text(_ name: String) throws(CustosError) -> String? {
            guard let value = parameters.get(name) else { return nil }
            try Limits.text(value, name, required: true, max: Limits.longText)
            return value
        }
        if let after = try text("after") { query.after = try number(after, "after") }
        if let limit = try text("limit") {
            let n = try number(limit, "limit")
            guard (1...UInt64(AuditQuery.maximumLimit)).contains(n) else {
                throw .invalidRequest("limit must be 1-\(AuditQuery.maximumLimit)")
            }
            query.limit = Int(n)
        }
        if let from = try text("from") { query.from = try time(from, "from") }
        if let until = try text("until") { query.until = try time(until, "until") }
        if let kind = try text("kind") {
            guard let value = AuditRecord.Kind(rawValue: kind) else { throw .invalidRequest("unknown kind `\(kind)`") }
            query.kind = value
        }
        if let decision = try text("decision") {
            guard let value = AuditRecord.Decision(rawValue: decision) else {
                throw .invalidRequest("unknown decision `\(decision)`")
            }
            query.decision = value
        }
        query.event = try text("event")
        query.agent = try text("agent")
        query.sponsor = try text("sponsor")
        query.user = try text("user")
        query.action = try text("action")
        query.session = try text("session")
        return query
    }
}

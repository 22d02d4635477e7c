public import CustosCore
public import CustosPolicy
public import Foundation
import GRDB

/// Policy versions and activations in SQLite; triggers refuse to change or remove either.
public struct SQLitePolicyRepository: PolicyRepository {
    let writer: any DatabaseWriter

    public func append(_ draft: PolicyDraft, author: String, message: String, at time: Date) throws(CustosError)
        -> PolicyVersion
    {
        do {
            let links = String(decoding: try JSONEncoder().encode(draft.links), as: UTF8.self)
            return try writer.write { db in
                let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM policy_version") ?? 0) + 1
                try db.execute(
                    sql: """
                        INSERT INTO policy_version (version, policies, links, author, message, createdAt)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [next, draft.policies, links, author, message, time])
                return PolicyVersion(version: next, draft: draft, author: author, message: message, createdAt: time)
            }
        } catch {
            throw .unavailable("cannot store the policy version: the database is unavailable")
        }
    }

    public func version(_ number: Int) throws(CustosError) -> PolicyVersion? {
        try fetch("SELECT * FROM policy_version WHERE version = ?", [number]).first
    }

    public func versions(before: Int?, limit: Int) throws(CustosError) -> [PolicyVersion] {
        try fetch("SELECT * FROM policy_version WHERE version < ? ORDER BY version DESC LIMIT ?", [before ?? Int.max, limit])
    }

    public func recordActivation(_ activation: PolicyActivation) throws(CustosError) {
        do {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT INTO policy_activation (version, activatedBy, activatedAt, reason) VALUES (?, ?, ?, ?)",
                    arguments: [activation.version, activation.activatedBy, activation.activatedAt, activation.reason])
            }
        } catch {
            throw .unavailable("cannot record the policy activation: the database is unavailable")
        }
    }

    public func activations(limit: Int) throws(CustosError) -> [PolicyActivation] {
        do {
            return try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM policy_activation ORDER BY sequence DESC LIMIT ?", arguments: [limit])
                    .map { row in
                        PolicyActivation(
                            version: row["version"], activatedBy: row["activatedBy"], activatedAt: row["activatedAt"],
                            reason: row["reason"])
                    }
            }
        } catch {
            throw .unavailable("cannot read the policy activations: the database is unavailable")
        }
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments) throws(CustosError) -> [PolicyVersion] {
        do {
            return try writer.read { db in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    let links = try JSONDecoder().decode([TemplateLink].self, from: Data((row["links"] as String).utf8))
                    return PolicyVersion(
                        version: row["version"], draft: PolicyDraft(policies: row["policies"], links: links),
                        author: row["author"], message: row["message"], createdAt: row["createdAt"])
                }
            }
        } catch {
            throw .unavailable("cannot read the policy versions: the database is unavailable")
        }
    }
}

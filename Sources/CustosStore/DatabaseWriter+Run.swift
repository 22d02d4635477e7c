import CustosCore
import GRDB

extension DatabaseWriter {
    /// Runs `body` in a write transaction, or on one of the pool's readers when `readOnly` (in
    /// parallel with each other and with the writer). Failures become ``CustosError``s: one thrown by
    /// `body` passes through, a constraint violation is `conflict`, anything else `unavailable`,
    /// saying `what` failed.
    func run<T: Sendable>(
        _ what: String, readOnly: Bool = false, _ body: @Sendable @escaping (Database) throws -> T
    ) async throws(CustosError) -> T {
        do {
            return readOnly ? try await read(body) : try await write(body)
        } catch let error as CustosError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw .conflict("\(what): already exists")
        } catch {
            throw .unavailable("\(what) failed: the database is unavailable")
        }
    }
}

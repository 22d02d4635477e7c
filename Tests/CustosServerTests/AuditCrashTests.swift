import CustosTestSupport
import Foundation
import Synchronization
import Testing

/// Durability under SIGKILL: concurrent clients append events to a live `custos serve`, the
/// process is killed mid-stream at several points, restarted, and every acknowledged append must
/// be there, nothing but what clients sent, and `custos audit verify` must pass.
@Suite(.serialized) struct AuditCrashTests {
    /// Events sent (by their unique `n`) and the indices acknowledged for them.
    final class Ledger: Sendable {
        let state = Mutex<(sent: Set<Int>, acknowledged: [Int: Int], next: Int)>(([], [:], 0))
        /// A fresh `n`, recorded as sent.
        func send() -> Int {
            state.withLock {
                $0.next += 1
                $0.sent.insert($0.next)
                return $0.next
            }
        }
        func acknowledged(_ n: Int, index: Int) { state.withLock { $0.acknowledged[n] = index } }
    }

    static func agentToken(_ server: ServerProcess, admin: String) async throws -> String {
        let headers = ["Authorization": "Bearer \(admin)", "Content-Type": "application/json"]
        _ = try await HTTP.send(
            "POST", server.url + "/v1/agents", headers: headers,
            body: Data(#"{"id": "writer", "name": "Writer", "sponsor": "ops@example.com"}"#.utf8))
        let join = HTTP.object(try await HTTP.send("POST", server.url + "/v1/agents/writer/join-tokens", headers: headers).body)
        let form = "grant_type=urn%3Acustos%3Aparams%3Aoauth%3Agrant-type%3Ajoin-token&join_token=\(join["token"] as? String ?? "")"
            + "&audience=custos.local%2Faudit&instance=w1&ttl=3600"
        let issued = try await HTTP.send(
            "POST", server.url + "/oauth2/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Data(form.utf8))
        return try #require(HTTP.object(issued.body)["access_token"] as? String)
    }

    /// `clients` tasks append until the server dies (SIGKILL `killAfter` the round's first
    /// acknowledgement); returns when all have stopped.
    static func appendUntilKilled(
        _ server: ServerProcess, token: String, ledger: Ledger, clients: Int, killAfter: Duration
    ) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    while true {
                        let n = ledger.send()
                        let body = Data(#"{"event": "test.append", "details": {"n": \#(n)}}"#.utf8)
                        guard let response = try? await HTTP.send(
                            "POST", server.url + "/v1/audit/events",
                            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
                        else { return }  // the server is gone
                        guard response.status == 201, let index = HTTP.object(response.body)["index"] as? Int else { return }
                        ledger.acknowledged(n, index: index)
                    }
                }
            }
            group.addTask {
                // The kill point is measured from this round's first acknowledged append, so that a slow
                // start on a loaded machine does not turn a round into a kill before anything happened.
                let before = ledger.state.withLock { $0.acknowledged.count }
                let deadline = ContinuousClock.now + .seconds(30)
                while ledger.state.withLock({ $0.acknowledged.count }) == before && ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                try? await Task.sleep(for: killAfter)
                server.stop(signal: SIGKILL)
            }
        }
    }

    /// Every external event in the log, by `n`, with its index.
    static func storedEvents(_ server: ServerProcess, admin: String) async throws -> [(n: Int, index: Int)] {
        var found: [(Int, Int)] = []
        var after: Int?
        repeat {
            let query = "/v1/audit/records?kind=external&limit=1000" + (after.map { "&after=\($0)" } ?? "")
            let page = HTTP.object(try await HTTP.send("GET", server.url + query, headers: ["Authorization": "Bearer \(admin)"]).body)
            let records = page["records"] as? [[String: Any]] ?? []
            for entry in records {
                let record = entry["record"] as? [String: Any] ?? [:]
                let n = (record["details"] as? [String: Any])?["n"] as? Int ?? -1
                found.append((n, entry["index"] as? Int ?? -1))
            }
            after = (page["next"] as? String).flatMap(Int.init)
        } while after != nil
        return found
    }

    @Test func acknowledgedAppendsSurviveSIGKILLAtSeveralPoints() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = folder.appendingPathExtension("yaml")
        try "audit: {checkpoint_interval_seconds: 1}\n".write(to: configuration, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: configuration) }
        let arguments = ["--config", configuration.path]

        var server = try await ServerProcess(dataDirectory: folder, arguments: arguments)
        let admin = try #require(server.adminToken)
        let token = try await Self.agentToken(server, admin: admin)
        let ledger = Ledger()
        for (round, killAfter) in [Duration.milliseconds(300), .milliseconds(1200), .milliseconds(50), .milliseconds(2500)].enumerated() {
            let acknowledgedBefore = ledger.state.withLock { $0.acknowledged.count }
            await Self.appendUntilKilled(server, token: token, ledger: ledger, clients: 8, killAfter: killAfter)
            #expect(server.process.terminationReason == .uncaughtSignal, "round \(round)")
            server = try await ServerProcess(dataDirectory: folder, arguments: arguments)
            let (sent, acknowledged) = ledger.state.withLock { ($0.sent, $0.acknowledged) }
            let stored = try await Self.storedEvents(server, admin: admin)
            let storedByN = Dictionary(stored.map { ($0.n, $0.index) }, uniquingKeysWith: { first, _ in first })
            #expect(storedByN.count == stored.count, "round \(round): an event is stored twice")
            for (n, index) in acknowledged {
                #expect(storedByN[n] == index, "round \(round): acknowledged append \(n) at \(index) is missing or moved")
            }
            #expect(Set(storedByN.keys).isSubset(of: sent), "round \(round): the log holds events no client sent")
            #expect(acknowledged.count > acknowledgedBefore, "round \(round): nothing was acknowledged before the kill")
        }
        server.stop()
        let verify = try CustosExecutable.run(["audit", "verify", "--data-dir", folder.path])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("log verifies"))
    }
}

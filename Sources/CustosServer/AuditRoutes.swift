import Cedar
import CustosAudit
import CustosCore
import CustosIdentity
import Foundation
import HTTPTypes
import Hummingbird

extension AuditLog {
    /// Appends a control-plane security event; throws `unavailable` when the log cannot write, so
    /// the caller fails closed.
    @discardableResult
    func recordEvent(
        _ event: String, agent: Agent? = nil, executedBy: String? = nil, authorizedBy: String = "admin",
        details: [String: JSONValue] = [:]
    ) async throws(CustosError) -> AuditReceipt {
        var record = AuditRecord(kind: .event, event: event)
        record.agent = agent?.id.rawValue
        record.sponsor = agent?.sponsor
        record.executedBy = executedBy
        record.authorizedBy = authorizedBy
        record.details = details
        return try await append(record)
    }
}

/// `/v1/audit/…`: reading the log, its checkpoints and proofs (admin), and appending events
/// (agents, with a JWT-SVID for the log's origin as audience).
struct AuditRoutes {
    let plane: ControlPlane
    var log: AuditLog { plane.audit }

    struct RecordEntry: ResponseEncodable {
        var index: UInt64
        var leafHash: String
        var record: JSONValue

        enum CodingKeys: String, CodingKey {
            case index
            case leafHash = "leaf_hash"
            case record
        }

        init(_ stored: StoredRecord) throws(CustosError) {
            index = stored.index
            leafHash = TreeHash.leaf(stored.bytes).base64
            do {
                record = try JSONValue.decode(Data(stored.bytes))
            } catch {
                throw .internalError("record \(stored.index) is not valid JSON; run `custos audit verify`")
            }
        }
    }

    struct RecordPage: ResponseEncodable {
        var records: [RecordEntry]
        var next: String?
    }

    struct LogInfo: ResponseEncodable {
        var origin: String
        var verifierKey: String
        var size: UInt64
        var root: String
        var failure: String?

        enum CodingKeys: String, CodingKey {
            case origin, size, root, failure
            case verifierKey = "verifier_key"
        }
    }

    struct InclusionProof: ResponseEncodable {
        var index: UInt64
        var treeSize: UInt64
        var leafHash: String
        var proof: [String]

        enum CodingKeys: String, CodingKey {
            case index, proof
            case treeSize = "tree_size"
            case leafHash = "leaf_hash"
        }
    }

    struct ConsistencyProof: ResponseEncodable {
        var from: UInt64
        var to: UInt64
        var proof: [String]
    }

    struct Appended: ResponseEncodable {
        var index: UInt64
        var leafHash: String
        var time: String

        enum CodingKeys: String, CodingKey {
            case index, time
            case leafHash = "leaf_hash"
        }
    }

    func registerAdmin(on group: RouterGroup<CustosRequestContext>) {
        group.get { _, _ -> LogInfo in
            let health = log.health
            return LogInfo(
                origin: log.origin, verifierKey: log.signer.verifier.verifierKey, size: health.size, root: health.root.base64,
                failure: health.failure)
        }
        group.get("records") { request, _ -> RecordPage in
            let query = try AuditQueryParameters.query(from: request.uri.queryParameters)
            let found = try await log.search(query)
            return RecordPage(
                records: try found.map(RecordEntry.init), next: found.count == query.limit ? found.last.map { String($0.index) } : nil)
        }
        group.get("records/:index") { _, context -> RecordEntry in
            let index = try AuditQueryParameters.number(context.parameters.get("index"), "index")
            guard let stored = try await log.records(in: index..<index + 1).first else {
                throw CustosError.notFound("no audit record \(index)")
            }
            return try RecordEntry(stored)
        }
        group.get("checkpoint") { _, _ -> Response in
            guard let latest = try await log.latestCheckpoint() else {
                throw CustosError.notFound("no checkpoint has been signed yet; POST /v1/audit/checkpoints signs one")
            }
            return Self.note(latest.note)
        }
        group.post("checkpoints") { _, _ -> Response in
            var response = Self.note(try await log.checkpoint())
            response.status = .created
            return response
        }
        group.get("proofs/inclusion") { request, _ -> InclusionProof in
            let parameters = request.uri.queryParameters
            let index = try AuditQueryParameters.number(parameters.get("index"), "index")
            let size = try parameters.get("tree_size").map { try AuditQueryParameters.number($0, "tree_size") }
            let (treeSize, proof) = try await log.inclusionProof(index: index, size: size)
            let stored = try await log.records(in: index..<index + 1)
            guard let record = stored.first else { throw CustosError.notFound("no audit record \(index)") }
            return InclusionProof(
                index: index, treeSize: treeSize, leafHash: TreeHash.leaf(record.bytes).base64, proof: proof.map(\.base64))
        }
        group.get("proofs/consistency") { request, _ -> ConsistencyProof in
            let parameters = request.uri.queryParameters
            let from = try AuditQueryParameters.number(parameters.get("from"), "from")
            let to = try parameters.get("to").map { try AuditQueryParameters.number($0, "to") }
            let (size, proof) = try await log.consistencyProof(from: from, to: to)
            return ConsistencyProof(from: from, to: size, proof: proof.map(\.base64))
        }
        group.get("bundle") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            let from = try parameters.get("from").map { try AuditQueryParameters.number($0, "from") } ?? 0
            let count = try parameters.get("count").map { try AuditQueryParameters.number($0, "count") } ?? 100
            guard (1...UInt64(AuditBundle.maximumRecords)).contains(count) else {
                throw CustosError.invalidRequest("count must be 1-\(AuditBundle.maximumRecords)")
            }
            let bundle = try await AuditBundle.make(log: log, from: from, count: count)
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try bundle.encoded())))
            response.headers[.contentType] = "application/json"
            return response
        }
    }

    /// `GET /v1/audit/export`: matching records as JSON lines, plain or as OCSF events; the
    /// `Custos-Next` header carries the cursor (`after`) of the next page.
    func registerExport(on group: RouterGroup<CustosRequestContext>) {
        group.get("export") { request, _ -> Response in
            let parameters = request.uri.queryParameters
            let format = parameters.get("format") ?? "jsonl"
            guard format == "jsonl" || format == "ocsf" else { throw CustosError.invalidRequest("format must be jsonl or ocsf") }
            let query = try AuditQueryParameters.query(from: parameters)
            let found = try await log.search(query)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var body = Data()
            for stored in found {
                if format == "ocsf" {
                    let record = try AuditRecord(canonicalBytes: stored.bytes)
                    let events = OCSFExport.events(for: record, index: stored.index, leafHash: .leaf(stored.bytes), origin: log.origin)
                    for (position, event) in events.enumerated() {
                        if position > 0 { body.append(0x0A) }
                        body += try encoder.encode(event)
                    }
                } else {
                    body += try encoder.encode(try RecordEntry(stored))
                }
                body.append(0x0A)
            }
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: body)))
            response.headers[.contentType] = "application/x-ndjson"
            if found.count == query.limit, let last = found.last {
                response.headers[.custosNext] = String(last.index)
            }
            return response
        }
    }

    /// `POST /v1/audit/events`: an agent appends an event about itself.
    func registerAgent(on router: Router<CustosRequestContext>) {
        router.post("v1/audit/events") { request, context -> Response in
            let caller = try await authenticateAgent(request)
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: context.maxUploadSize)
            } catch {
                throw CustosError.invalidRequest("the request body is larger than \(context.maxUploadSize) bytes")
            }
            let json: JSONValue
            do {
                json = try JSONValue.decode(Data(buffer.readableBytesView))
            } catch {
                throw CustosError.invalidRequest("the request body is not valid JSON: \(error)")
            }
            let agent = try await plane.registry.agent(caller.agent)
            let record = try AuditRecord(
                externalEvent: json, agent: caller.agent.rawValue, executedBy: caller.spiffeID.description,
                sponsor: agent.sponsor)
            let receipt = try await log.append(record)
            var response = try Appended(
                index: receipt.index, leafHash: receipt.leafHash.base64, time: AuditTime.format(microseconds: receipt.time)
            ).response(from: request, context: context)
            response.status = .created
            return response
        }
    }

    /// The caller's JWT-SVID, which must name the log's origin as its audience.
    private func authenticateAgent(_ request: Request) async throws -> VerifiedSVID {
        guard let token = request.bearerToken(maxHeaderLength: 8192) else {
            throw CustosError.unauthorized("this endpoint requires the agent's JWT-SVID as a bearer token")
        }
        return try plane.verifier.verify(token, audience: log.origin, now: Date(), dpop: request.dpopPresentation(plane))
    }

    static func note(_ text: String) -> Response {
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
        response.headers[.contentType] = "text/plain; charset=utf-8"
        return response
    }
}

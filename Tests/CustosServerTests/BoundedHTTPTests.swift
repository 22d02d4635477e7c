import CustosCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Answers from the network are read only up to a limit: announced or streamed, a larger body is
/// cut off with a clear error instead of being buffered.
@Suite struct BoundedHTTPTests {
    static let limit = 64 * 1024

    @Test func answersBeyondTheLimitAreCutOff() async throws {
        let router = Router()
        router.get("small") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: 200))) }
        router.get("announced") { _, _ in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: Self.limit + 1)))
        }
        router.get("streamed") { _, _ in
            // Chunked, no length announced: the limit is noticed while the bytes arrive.
            Response(status: .ok, body: ResponseBody { writer in
                for _ in 0..<64 { try await writer.write(ByteBuffer(repeating: 0x61, count: 16 * 1024)) }
                try await writer.finish(nil)
            })
        }
        let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await server.test(.live) { client in
            let port = try #require(client.port)
            func fetch(_ path: String) async throws -> (Data, HTTPURLResponse) {
                let request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/\(path)")!, timeoutInterval: 10)
                return try await BoundedHTTP.data(for: request, maximumBytes: Self.limit)
            }
            let (data, response) = try await fetch("small")
            #expect(response.statusCode == 200)
            #expect(data.count == 200)
            await #expect(throws: BoundedHTTP.AnswerTooLarge.self) { try await fetch("announced") }
            await #expect(throws: BoundedHTTP.AnswerTooLarge.self) { try await fetch("streamed") }
            let (_, missing) = try await fetch("nothing-here")
            #expect(missing.statusCode == 404)
        }
    }
}

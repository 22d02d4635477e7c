public import Foundation

#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// `custos serve` as a separate process on a loopback port, as a user runs it. Everything is set
/// in `init`; afterwards only `Process`'s own thread-safe calls are made, so it may be shared.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    public let dataDirectory: URL
    /// The admin token, when this start generated one (the first start on a data folder).
    public let adminToken: String?
    private let output = Pipe()

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until `/healthz` answers (at most 20 s).
    public init(dataDirectory: URL, arguments: [String] = [], port: Int = Int.random(in: 20_000..<40_000)) async throws {
        self.dataDirectory = dataDirectory
        self.port = port
        process.executableURL = CustosExecutable.url
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--port", "\(port)"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let (status, _) = try? await HTTP.send("GET", "http://127.0.0.1:\(port)/healthz"), status == 200 { break }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The token is printed before the listener starts, so it is in the pipe by now; read what is
        // there without blocking (a later start prints nothing).
        let descriptor = output.fileHandleForReading.fileDescriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        let printed = String(decoding: bytes, as: UTF8.self)
        adminToken = printed.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("custos_admin_") }.map(String.init)
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …) and waits for the process to end.
    public func stop(signal: Int32 = SIGTERM) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Minimal HTTP over URLSession for tests that talk to a server process.
public enum HTTP {
    public static func send(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> (status: Int, body: Data) {
        guard let target = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: target, timeoutInterval: 10)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// The JSON object of a response body (empty when it is not one).
    public static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

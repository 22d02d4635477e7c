import CustosCore
public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A model server of the user's choice, asked over HTTP for an injection score beside the built-in
/// detector: `POST url` with `{"text": …}`, answered `{"score": 0…1}`. The built-in score is always
/// computed; the result is the higher of the two. When the server does not answer within the timeout,
/// answers with an error, or answers something else, the configured failure mode decides: fail open
/// (keep the built-in score) or fail closed (score 1, flagged), and either way the signal
/// `external_unavailable` says so.
public struct ExternalInjectionDetector: Sendable {
    public let url: URL
    public let timeout: TimeInterval
    public let failClosed: Bool
    public let local: InjectionDetector
    public static let maximumAnswer = 64 * 1024

    public init(url: URL, timeout: TimeInterval = 0.5, failClosed: Bool, local: InjectionDetector = InjectionDetector()) {
        self.url = url
        self.timeout = timeout
        self.failClosed = failClosed
        self.local = local
    }

    public func score(_ text: String) async -> InjectionResult {
        var result = local.score(text)
        guard let external = await ask(text) else {
            result.signals.append("external_unavailable")
            if failClosed {
                result.score = 1
                result.flagged = true
            }
            return result
        }
        if external > result.score {
            result.score = external
            result.flagged = external >= local.threshold
            result.signals.append("external")
        }
        return result
    }

    /// The server's score, or nil when it has none to give in time.
    private func ask(_ text: String) async -> Double? {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try? JSONSerialization.data(withJSONObject: ["text": text])
        let prepared = request
        let deadline = timeout
        // The request's own timeout covers idle time; the task group bounds the whole exchange.
        return await withTaskGroup(of: Double?.self) { group in
            group.addTask {
                guard let (data, response) = try? await BoundedHTTP.data(for: prepared, maximumBytes: Self.maximumAnswer),
                    response.statusCode == 200,
                    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let score = (object["score"] as? NSNumber)?.doubleValue, (0...1).contains(score)
                else { return nil }
                return score
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(deadline * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

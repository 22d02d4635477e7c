public import Foundation

#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// HTTP exchanges whose answer is read only up to a size limit: the transfer is cancelled as soon
/// as the announced length or the bytes received exceed it, so a hostile or broken server cannot
/// make Custos buffer an unbounded body. The request's `timeoutInterval` bounds idle time;
/// cancelling the calling task cancels the transfer.
public enum BoundedHTTP {
    public struct AnswerTooLarge: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "the answer is larger than \(limit) bytes" }
    }

    public struct NotHTTP: Error {}

    /// The answer's body and response; throws ``AnswerTooLarge`` beyond `maximumBytes`.
    public static func data(for request: URLRequest, maximumBytes: Int) async throws -> (Data, HTTPURLResponse) {
        let transfer = Transfer(limit: maximumBytes)
        let session = URLSession(configuration: .ephemeral, delegate: transfer, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.start(session.dataTask(with: request), continuation)
            }
        } onCancel: {
            transfer.finish(.failure(CancellationError()))
        }
    }

    /// One transfer's state; the delegate callbacks arrive on the session's queue, cancellation on any
    /// thread, so everything goes through the lock, and the continuation is resumed exactly once.
    private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let limit: Int
        private let lock = NSLock()
        private var body = Data()
        private var task: URLSessionDataTask?
        private var continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>?
        private var finished = false

        init(limit: Int) { self.limit = limit }

        func start(_ task: URLSessionDataTask, _ continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) {
            let alreadyFinished = lock.withLock {
                self.task = task
                self.continuation = continuation
                return finished
            }
            if alreadyFinished {
                continuation.resume(throwing: CancellationError())
                task.cancel()
            } else {
                task.resume()
            }
        }

        func finish(_ result: Result<(Data, HTTPURLResponse), any Error>) {
            let (continuation, task) = lock.withLock { () -> (CheckedContinuation<(Data, HTTPURLResponse), any Error>?, URLSessionDataTask?) in
                guard !finished else { return (nil, nil) }
                finished = true
                defer { self.continuation = nil }
                return (self.continuation, self.task)
            }
            continuation?.resume(with: result)
            if case .failure = result { task?.cancel() }
        }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            if response.expectedContentLength > Int64(limit) {
                finish(.failure(AnswerTooLarge(limit: limit)))
                completionHandler(.cancel)
            } else {
                completionHandler(.allow)
            }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            let tooLarge = lock.withLock { () -> Bool in
                guard !finished else { return false }
                body.append(data)
                return body.count > limit
            }
            if tooLarge { finish(.failure(AnswerTooLarge(limit: limit))) }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            if let error {
                finish(.failure(error))
            } else if let response = task.response as? HTTPURLResponse {
                finish(.success((lock.withLock { body }, response)))
            } else {
                finish(.failure(NotHTTP()))
            }
        }
    }
}

@testable import CustosServer
import Foundation
import Logging
import Synchronization
import Testing

/// The server's log lines read like swift-log's `StreamLogHandler` lines, metadata and all, though
/// they format the metadata only when a line is written.
@Suite struct LogLineHandlerTests {
    final class Lines: TextOutputStream, Sendable {
        let written = Mutex<[String]>([])
        func write(_ string: String) { written.withLock { $0.append(string) } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the disk is full" }
    }

    /// Each line without its timestamp (the two handlers may read the clock in different seconds).
    static func withoutTime(_ lines: [String]) -> [String] {
        lines.map { String($0.drop(while: { $0 != " " })) }
    }

    @Test func linesReadLikeTheStreamHandlers() {
        let ours = Lines()
        let theirs = Lines()
        let handlers: [any LogHandler] = [
            LogLineHandler(label: "custos", write: { ours.write($0) }), StreamLogHandler(label: "custos", stream: theirs),
        ]
        for handler in handlers {
            var logger = Logger(label: "custos") { _ in handler }
            logger.logLevel = .info
            logger.debug("not written")
            logger[metadataKey: "hb.request.id"] = "42"
            logger[metadataKey: "a"] = "first"
            logger.info("plain")
            logger.warning("with metadata", metadata: ["path": "/access/v1/evaluation", "a": "overridden"])
            logger.error("with an error", error: Failure())
            logger[metadataKey: "hb.request.id"] = nil
            logger.notice("after a key was removed")
        }
        let ourLines = ours.written.withLock { $0 }
        #expect(ourLines.count == 4)
        #expect(Self.withoutTime(ourLines) == Self.withoutTime(theirs.written.withLock { $0 }))
        #expect(ourLines.allSatisfy { $0.hasSuffix("\n") && $0.contains(" custos:") })
        #expect(ourLines[1].contains("a=overridden hb.request.id=42 path=/access/v1/evaluation"))
    }

    @Test func theTimestampIsLocalTimeToTheSecond() {
        let stamp = LogLineHandler.timestamp()
        #expect(stamp.count == 24, "\(stamp)")
        #expect(stamp.dropFirst(10).first == "T")
    }
}

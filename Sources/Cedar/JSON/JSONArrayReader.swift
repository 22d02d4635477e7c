import Dispatch
import Synchronization

/// Reads a large top-level JSON array element by element, in parallel.
///
/// A quick scan finds commas between top-level elements and cuts the document into chunks of
/// at least `chunkBytes` bytes (256 KiB by default); each chunk is then parsed by the strict ``JSONParser`` and its
/// elements transformed right away, on all cores, so no tree of the whole document is ever built.
/// Every chunk must parse completely as `value (, value)*`, which makes the accepted documents
/// exactly those `JSONParser.parse` accepts as an array. When the scan meets anything unexpected
/// (not an array, unbalanced brackets, trailing data), the document is parsed in one piece instead,
/// so the error message is the sequential parser's.
enum JSONArrayReader {
    static let defaultChunkBytes = 256 * 1024

    /// The elements of the array, transformed; the error thrown is the first in document order
    /// among the failing chunks. A document that is not an array is parsed whole and handed to
    /// `notAnArray` (which typically throws a message saying what was expected).
    static func map<T: Sendable>(
        _ bytes: some Collection<UInt8>,
        chunkBytes: Int = defaultChunkBytes,
        notAnArray: (JSONValue) throws(CedarError) -> [T],
        _ transform: @Sendable (JSONValue) throws(CedarError) -> T
    ) throws(CedarError) -> [T] {
        guard bytes.count <= JSONValue.maximumDocumentSize else {
            throw .json("document is larger than \(JSONValue.maximumDocumentSize) bytes")
        }
        return try JSONParser.withContiguousBytes(bytes) { (buffer) throws(CedarError) -> [T] in
            guard let chunks = elementChunks(buffer, chunkBytes: chunkBytes) else {
                return try notAnArray(try JSONParser.parse(buffer))
            }
            let document = SharedBytes(buffer: buffer)
            let results = Mutex([Result<[T], CedarError>?](repeating: nil, count: chunks.count))
            DispatchQueue.concurrentPerform(iterations: chunks.count) { chunk in
                let result = Result { () throws(CedarError) -> [T] in
                    try elements(of: document.buffer, in: chunks[chunk], isOnlyChunk: chunks.count == 1, transform)
                }
                results.withLock { $0[chunk] = result }
            }
            var all: [T] = []
            for result in results.withLock({ $0 }) {
                guard let result else { throw .json("internal error: a chunk of the document was not read") }
                all += try result.get()
            }
            return all
        }
    }

    /// Parses one chunk: elements separated by commas, filling it exactly.
    private static func elements<T>(
        of buffer: UnsafeBufferPointer<UInt8>, in range: Range<Int>, isOnlyChunk: Bool,
        _ transform: (JSONValue) throws(CedarError) -> T
    ) throws(CedarError) -> [T] {
        var parser = JSONParser(buffer, range: range, depth: 1)
        var result: [T] = []
        parser.skipWhitespace()
        if parser.isAtEnd, isOnlyChunk { return [] }
        while true {
            result.append(try transform(try parser.value()))
            parser.skipWhitespace()
            if parser.isAtEnd { return result }
            guard parser.bytes[parser.index] == UInt8(ascii: ",") else { throw parser.error("expected `,` or `]`") }
            parser.index += 1
            parser.skipWhitespace()
        }
    }

    /// The byte ranges between the brackets of a top-level array, cut at top-level commas; `nil`
    /// when the document does not look like a single array.
    static func elementChunks(_ bytes: UnsafeBufferPointer<UInt8>, chunkBytes: Int) -> [Range<Int>]? {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, JSONParser.isWhitespace(bytes[index]) { index += 1 }
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var chunks: [Range<Int>] = []
        var chunkStart = index
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]") where depth == 0:
                    chunks.append(chunkStart..<index)
                    index += 1
                    skipWhitespace()
                    return index == bytes.count ? chunks : nil
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth < 0 { return nil }
                case UInt8(ascii: ",") where depth == 0 && index - chunkStart >= chunkBytes:
                    chunks.append(chunkStart..<index)
                    chunkStart = index + 1
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}

/// The document's bytes, shared read-only by the workers of one ``JSONArrayReader/map`` call,
/// which outlives them.
private struct SharedBytes: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<UInt8>
}

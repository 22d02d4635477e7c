/// Redacts a stream (a streamed model answer, an SSE body) chunk by chunk without holding the whole
/// stream. The last ``lookBehind`` scalars are held back, so that a finding of several words split
/// across chunks, and the context words after it, are seen before any of it is released. The release
/// point never cuts through a finding, nor through a run of non-space characters (a token or key that
/// may still be growing). The last ``contextLength`` released scalars are scanned again as context (a
/// "card:" word before a number that arrives later). What has to be held beyond ``maximumHeld``
/// scalars (an endless PEM block, a run without spaces that long) blocks the stream: it fails closed
/// rather than release part of a secret.
///
/// A block-mode finding or marking anywhere in what has arrived blocks the stream: nothing more is
/// released (what was released before it stays released; the caller ends the response).
public struct RedactionStream: Sendable {
    public let redactor: Redactor
    public let scanner: GuardrailScanner
    public let vault: PlaceholderVault?
    /// Scalars held back behind the newest: longer than any finding the stream must see whole.
    public let lookBehind: Int
    /// Most scalars held because a finding has not ended; more blocks the stream.
    public let maximumHeld: Int
    /// Released scalars kept as context for the detectors' context words.
    public static let contextLength = 64

    private var context: [Unicode.Scalar] = []
    private var pending: [Unicode.Scalar] = []
    private var partialUTF8: [UInt8] = []
    /// Why the stream was blocked, once it is.
    public private(set) var blockedReason: String?
    /// Findings replaced so far, at their offsets in the whole stream (in scalars).
    public private(set) var replaced: [Finding] = []
    /// Scalars released so far.
    private var released = 0

    public init(
        redactor: Redactor, scanner: GuardrailScanner, vault: PlaceholderVault? = nil, lookBehind: Int = 256,
        maximumHeld: Int = 256 * 1024
    ) {
        precondition(lookBehind > 0 && maximumHeld >= lookBehind, "the look-behind must be positive and at most the bound")
        self.redactor = redactor
        self.scanner = scanner
        self.vault = vault
        self.lookBehind = lookBehind
        self.maximumHeld = min(maximumHeld, ScalarText.maximumScalars / 2)
    }

    /// The redacted text that can be released after `chunk`; empty while held or once blocked.
    public mutating func write(_ chunk: String) -> String {
        var out = ""
        var scalars = chunk.unicodeScalars[...]
        // A large chunk goes in slices, so that what is scanned at once stays far below the scanner's bound.
        while blockedReason == nil, !scalars.isEmpty {
            let slice = scalars.prefix(Self.sliceLength)
            pending.append(contentsOf: slice)
            scalars = scalars[slice.endIndex...]
            out += release(final: false)
        }
        return blockedReason == nil ? out : ""
    }

    /// The most scalars of one write added before the stream is scanned.
    static let sliceLength = 64 * 1024

    /// Bytes of UTF-8: a character split between chunks waits for its other bytes; invalid bytes become
    /// U+FFFD.
    public mutating func write(utf8 chunk: some Collection<UInt8>) -> String {
        partialUTF8.append(contentsOf: chunk)
        let complete = Self.completePrefix(partialUTF8)
        let text = String(decoding: partialUTF8[..<complete], as: UTF8.self)
        partialUTF8.removeFirst(complete)
        return write(text)
    }

    /// Everything still held, redacted: the stream has ended.
    public mutating func finish() -> String {
        guard blockedReason == nil else { return "" }
        pending.append(contentsOf: String(decoding: partialUTF8, as: UTF8.self).unicodeScalars)
        partialUTF8 = []
        return release(final: true)
    }

    private mutating func release(final: Bool) -> String {
        // Scan once as much again as the look-behind has arrived, so that each scalar is scanned about
        // twice at most however small the chunks are.
        guard final || pending.count >= 2 * lookBehind else { return "" }
        let window = context + pending
        let result = scanner.scan(ScalarText(scalars: window))
        let findings = redactor.modes(of: result)
        if redactor.blocks(result, findings) { return block("a finding or marking the policy blocks") }
        let offset = context.count
        var cut = final ? pending.count : pending.count - lookBehind
        for (finding, _) in findings where finding.start - offset < cut && finding.end - offset > cut {
            cut = max(0, finding.start - offset)
        }
        while !final, cut > 0, !pending[cut - 1].properties.isWhitespace, !pending[cut].properties.isWhitespace { cut -= 1 }
        if pending.count - cut > maximumHeld { return block("a finding longer than the stream's bound") }
        var out: [UInt8] = []
        let inReleased = findings.filter { $0.finding.start - offset < cut && $0.finding.end > offset }
        let shift = released - offset
        replaced += redactor.write(pending[..<cut], findings: inReleased, offset: offset, vault: vault, into: &out).map {
            Finding(type: $0.type, start: $0.start + shift, end: $0.end + shift, score: $0.score)
        }
        released += cut
        context = Array((context + pending[..<cut]).suffix(Self.contextLength))
        pending.removeFirst(cut)
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func block(_ reason: String) -> String {
        blockedReason = reason
        pending = []
        context = []
        partialUTF8 = []
        return ""
    }

    /// How many of `bytes` end on a character boundary (a trailing, unfinished sequence of at most three
    /// bytes waits).
    static func completePrefix(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, bytes.count - start < 4, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        let available = bytes.count - (start - 1)
        return length > 1 && available < length ? start - 1 : bytes.count
    }
}

/// A text as the injection detector reads it: words, lower-cased, with the usual disguises taken off.
/// Invisible characters (zero-width, bidirectional controls, soft hyphens) are dropped and counted; tag
/// characters, which spell ASCII invisibly, are read as the ASCII they spell and counted; letters from
/// other scripts that look Latin (Cyrillic а, Greek ο, …) and full-width letters are read as the Latin
/// ones and counted; accents are dropped (é → e); runs of single letters
/// (`i g n o r e`) are joined into a word; and base64 or hex runs that decode to text are decoded and
/// read as well. One pass over the scalars, bounded by ``maximumScalars``. Words are kept as UTF-8
/// ranges of one buffer (no string per word): this runs on every call the gateway inspects. The same
/// pass keeps the whole text as read (``flat``), for the character n-grams.
struct InjectionText {
    static let maximumScalars = 64 * 1024

    /// The words' bytes, one after the other.
    var bytes: [UInt8] = []
    /// Each word's range in ``bytes``.
    var ranges: [Range<Int>] = []
    /// The text as read, in UTF-8: disguises off, letters folded as in the words, punctuation and
    /// symbols kept, and every run of white space one space.
    var flat: [UInt8] = []
    /// Whether each word is a single scalar (for joining spaced letters).
    private var single: [Bool] = []
    /// Invisible characters removed.
    var invisible = 0
    /// Look-alike letters replaced by Latin ones.
    var homoglyphs = 0
    /// Words made by joining runs of single letters.
    var spacedWords = 0
    /// Encoded runs that decoded to text.
    var encodedPayloads = 0
    /// Chat-template markers and lines that open as a role (`system:`, `<|im_start|>`, `### instruction`).
    var roleMarkers = 0

    init(_ text: String, decodePayloads: Bool = true) {
        bytes.reserveCapacity(text.utf8.count)
        flat.reserveCapacity(min(text.utf8.count, Self.maximumScalars * 4))
        var start = 0
        var scalarsInWord = 0
        var count = 0
        func flush() {
            guard bytes.count > start else { return }
            ranges.append(start..<bytes.count)
            single.append(scalarsInWord == 1)
            start = bytes.count
            scalarsInWord = 0
        }
        for original in text.unicodeScalars {
            count += 1
            if count > Self.maximumScalars { break }
            let value = original.value
            if value < 0x80 {
                // ASCII, most of most texts: letters lower-cased, digits and `_` kept, the rest separates.
                let byte = UInt8(value)
                let folded = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
                if (0x61...0x7A).contains(folded) || (0x30...0x39).contains(folded) || folded == 0x5F {
                    bytes.append(folded)
                    flat.append(folded)
                    scalarsInWord += 1
                } else {
                    flush()
                    keepSeparator(original)
                }
                continue
            }
            var scalar = original
            // Tag characters mirror ASCII invisibly ("ASCII smuggling"): models read them, so do we.
            if (0xE0020...0xE007E).contains(original.value) {
                invisible += 1
                scalar = Unicode.Scalar(original.value - 0xE0000)!
            } else if Self.isInvisible(scalar.value) {
                invisible += 1
                continue
            }
            if let folded = Self.fold(scalar) {
                if folded.lookalike { homoglyphs += 1 }
                if folded.scalar.value < 0x80 {
                    bytes.append(UInt8(folded.scalar.value))
                    flat.append(UInt8(folded.scalar.value))
                } else {
                    let encoded = UTF8.encode(folded.scalar)!
                    bytes.append(contentsOf: encoded)
                    flat.append(contentsOf: encoded)
                }
                scalarsInWord += 1
            } else {
                flush()
                keepSeparator(scalar)
            }
        }
        flush()
        roleMarkers = Self.countRoleMarkers(text)
        joinSpacedLetters()
        if decodePayloads { decodeEncodedRuns(text) }
    }

    /// A scalar between words, as ``flat`` keeps it: white space as one space, anything else as is.
    @inline(__always) private mutating func keepSeparator(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : scalar.properties.isWhitespace {
            if flat.last != 0x20 { flat.append(0x20) }
        } else if value < 0x80 {
            flat.append(UInt8(value))
        } else {
            flat.append(contentsOf: UTF8.encode(scalar)!)
        }
    }

    static let templateMarkers: [[UInt8]] = [
        "<|im_start|>", "<|system|>", "<|endoftext|>", "[inst]", "[system]", "<<sys>>", "### instruction", "### system",
    ].map { Array($0.utf8) }
    static let roleLines: [[UInt8]] = [
        "system:", "system :", "assistant:", "[system]:", "systemhinweis:", "note systeme", "note système", "nota del sistema",
        "nota di sistema",
    ].map { Array($0.utf8) }

    /// Chat-template markers anywhere, and lines that open as a role (`system:`, `assistant:`): one pass
    /// over the bytes, ASCII lower-cased.
    static func countRoleMarkers(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { utf8 in
            let bytes = UnsafeBufferPointer(rebasing: utf8.prefix(maximumScalars * 4))
            func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
            func starts(_ marker: [UInt8], at index: Int) -> Bool {
                guard index + marker.count <= bytes.count else { return false }
                for (offset, expected) in marker.enumerated() where lower(bytes[index + offset]) != expected { return false }
                return true
            }
            var found = 0
            var lineStart = true
            for index in bytes.indices {
                let byte = lower(bytes[index])
                if lineStart && byte != 0x20 && byte != 0x2D && byte != 0x23 && byte != 0x2A && byte != 0x3E {
                    if roleLines.contains(where: { starts($0, at: index) }) { found += 1 }
                    lineStart = false
                }
                if byte == 0x3C || byte == 0x5B || byte == 0x23 {  // < [ #
                    found += templateMarkers.filter { starts($0, at: index) }.count
                }
                if byte == 0x0A { lineStart = true }
            }
            return found
        }
    }

    /// Four or more one-letter words in a row are read as the word they spell, in their place (their
    /// bytes are adjacent in the buffer, so the word is the union of their ranges).
    private mutating func joinSpacedLetters() {
        var result: [Range<Int>] = []
        result.reserveCapacity(ranges.count)
        var run: [Range<Int>] = []
        func close() {
            if run.count >= 4, let first = run.first, let last = run.last {
                result.append(first.lowerBound..<last.upperBound)
                spacedWords += 1
            } else {
                result += run
            }
            run.removeAll(keepingCapacity: true)
        }
        for (index, range) in ranges.enumerated() {
            if single[index] {
                run.append(range)
            } else {
                close()
                result.append(range)
            }
        }
        close()
        ranges = result
    }

    /// Runs of 20+ base64 characters, or 24+ hex digits, that decode to printable text: decoded, and
    /// their words added.
    private mutating func decodeEncodedRuns(_ text: String) {
        var payloads: [String] = []
        var text = text
        text.withUTF8 { utf8 in
            let bytes = UnsafeBufferPointer(rebasing: utf8.prefix(Self.maximumScalars))
            var start = 0
            for index in 0...bytes.count {
                if index < bytes.count {
                    let byte = bytes[index]
                    let isBase64 = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                        || byte == 0x2B || byte == 0x2F || byte == 0x3D || byte == 0x2D || byte == 0x5F
                    if isBase64 { continue }
                }
                // A run ends here: only long ones are copied out and tried.
                if index - start >= 20, payloads.count < 8 {
                    let run = Array(bytes[start..<index])
                    if let decoded = Self.decodeHex(run) ?? Self.decodeBase64(run) { payloads.append(decoded) }
                }
                start = index + 1
            }
        }
        for payload in payloads {
            let inner = InjectionText(payload, decodePayloads: false)
            let offset = bytes.count
            bytes += inner.bytes
            ranges += inner.ranges.map { ($0.lowerBound + offset)..<($0.upperBound + offset) }
            encodedPayloads += 1
        }
    }

    static func decodeHex(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 24, bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return printable(out)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    static func decodeBase64(_ bytes: [UInt8]) -> String? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes where byte != 0x3D {
            let value: UInt8
            switch byte {
            case 0x41...0x5A: value = byte - 0x41
            case 0x61...0x7A: value = byte - 0x61 + 26
            case 0x30...0x39: value = byte - 0x30 + 52
            case 0x2B, 0x2D: value = 62
            case 0x2F, 0x5F: value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return printable(out)
    }

    /// The bytes as text when they are UTF-8 and mostly letters and spaces (so that an ordinary long
    /// identifier or key is not read as a message).
    private static func printable(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 12, let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let letters = text.unicodeScalars.filter { $0.properties.isAlphabetic || $0 == " " }.count
        let spaces = text.unicodeScalars.filter { $0 == " " }.count
        guard Double(letters) >= 0.8 * Double(text.unicodeScalars.count), spaces >= 1 else { return nil }
        return text
    }

    static func isInvisible(_ value: UInt32) -> Bool {
        (0x200B...0x200F).contains(value) || (0x202A...0x202E).contains(value) || (0x2060...0x2064).contains(value)
            || (0x2066...0x2069).contains(value) || value == 0xFEFF || value == 0x00AD || value == 0x180E
            || (0xE0000...0xE007F).contains(value)
    }

    /// A letter or digit as the detector reads it: lower-case Latin where it looks Latin, accents off.
    /// Nil for anything that separates words.
    static func fold(_ scalar: Unicode.Scalar) -> (scalar: Unicode.Scalar, lookalike: Bool)? {
        let v = scalar.value
        if v < 0x80 {
            if (0x41...0x5A).contains(v) { return (Unicode.Scalar(v + 0x20)!, false) }
            if (0x61...0x7A).contains(v) || (0x30...0x39).contains(v) || v == 0x5F { return (scalar, false) }
            return nil
        }
        if (0xFF21...0xFF3A).contains(v) { return (Unicode.Scalar(v - 0xFF21 + 0x61)!, true) }  // full-width A-Z
        if (0xFF41...0xFF5A).contains(v) { return (Unicode.Scalar(v - 0xFF41 + 0x61)!, true) }  // full-width a-z
        if let latin = lookalikes[v] { return (latin, true) }
        guard scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { return nil }
        if let base = accented[v] { return (base, false) }
        return (scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar, false)
    }

    /// Latin letters with accents (Latin-1 Supplement, Latin Extended-A), by their base letter.
    static let accented: [UInt32: Unicode.Scalar] = [
        0x00C0: "a", 0x00C1: "a", 0x00C2: "a", 0x00C3: "a", 0x00C4: "a", 0x00C5: "a", 0x00C7: "c", 0x00C8: "e",
        0x00C9: "e", 0x00CA: "e", 0x00CB: "e", 0x00CC: "i", 0x00CD: "i", 0x00CE: "i", 0x00CF: "i", 0x00D1: "n",
        0x00D2: "o", 0x00D3: "o", 0x00D4: "o", 0x00D5: "o", 0x00D6: "o", 0x00D9: "u", 0x00DA: "u", 0x00DB: "u",
        0x00DC: "u", 0x00DD: "y", 0x00E0: "a", 0x00E1: "a", 0x00E2: "a", 0x00E3: "a", 0x00E4: "a", 0x00E5: "a",
        0x00E7: "c", 0x00E8: "e", 0x00E9: "e", 0x00EA: "e", 0x00EB: "e", 0x00EC: "i", 0x00ED: "i", 0x00EE: "i",
        0x00EF: "i", 0x00F1: "n", 0x00F2: "o", 0x00F3: "o", 0x00F4: "o", 0x00F5: "o", 0x00F6: "o", 0x00F9: "u",
        0x00FA: "u", 0x00FB: "u", 0x00FC: "u", 0x00FD: "y", 0x00FF: "y", 0x0100: "a", 0x0101: "a", 0x0102: "a",
        0x0103: "a", 0x0104: "a", 0x0105: "a", 0x0106: "c", 0x0107: "c", 0x0108: "c", 0x0109: "c", 0x010A: "c",
        0x010B: "c", 0x010C: "c", 0x010D: "c", 0x010E: "d", 0x010F: "d", 0x0112: "e", 0x0113: "e", 0x0114: "e",
        0x0115: "e", 0x0116: "e", 0x0117: "e", 0x0118: "e", 0x0119: "e", 0x011A: "e", 0x011B: "e", 0x011C: "g",
        0x011D: "g", 0x011E: "g", 0x011F: "g", 0x0120: "g", 0x0121: "g", 0x0122: "g", 0x0123: "g", 0x0124: "h",
        0x0125: "h", 0x0128: "i", 0x0129: "i", 0x012A: "i", 0x012B: "i", 0x012C: "i", 0x012D: "i", 0x012E: "i",
        0x012F: "i", 0x0130: "i", 0x0134: "j", 0x0135: "j", 0x0136: "k", 0x0137: "k", 0x0139: "l", 0x013A: "l",
        0x013B: "l", 0x013C: "l", 0x013D: "l", 0x013E: "l", 0x0143: "n", 0x0144: "n", 0x0145: "n", 0x0146: "n",
        0x0147: "n", 0x0148: "n", 0x014C: "o", 0x014D: "o", 0x014E: "o", 0x014F: "o", 0x0150: "o", 0x0151: "o",
        0x0154: "r", 0x0155: "r", 0x0156: "r", 0x0157: "r", 0x0158: "r", 0x0159: "r", 0x015A: "s", 0x015B: "s",
        0x015C: "s", 0x015D: "s", 0x015E: "s", 0x015F: "s", 0x0160: "s", 0x0161: "s", 0x0162: "t", 0x0163: "t",
        0x0164: "t", 0x0165: "t", 0x0168: "u", 0x0169: "u", 0x016A: "u", 0x016B: "u", 0x016C: "u", 0x016D: "u",
        0x016E: "u", 0x016F: "u", 0x0170: "u", 0x0171: "u", 0x0172: "u", 0x0173: "u", 0x0174: "w", 0x0175: "w",
        0x0176: "y", 0x0177: "y", 0x0178: "y", 0x0179: "z", 0x017A: "z", 0x017B: "z", 0x017C: "z", 0x017D: "z",
        0x017E: "z",
    ]

    /// Cyrillic and Greek letters that render like Latin ones.
    static let lookalikes: [UInt32: Unicode.Scalar] = [
        0x0430: "a", 0x0410: "a", 0x0435: "e", 0x0415: "e", 0x043E: "o", 0x041E: "o", 0x0440: "p", 0x0420: "p",
        0x0441: "c", 0x0421: "c", 0x0443: "y", 0x0445: "x", 0x0425: "x", 0x0456: "i", 0x0406: "i", 0x0458: "j",
        0x0455: "s", 0x0405: "s", 0x0412: "b", 0x041D: "h", 0x041A: "k", 0x041C: "m", 0x0422: "t", 0x04BB: "h",
        0x03BF: "o", 0x039F: "o", 0x03B1: "a", 0x0391: "a", 0x03B5: "e", 0x0395: "e", 0x03B9: "i", 0x0399: "i",
        0x03BA: "k", 0x039A: "k", 0x03BD: "v", 0x03C1: "p", 0x03A1: "p", 0x03C4: "t", 0x03A4: "t", 0x03C5: "u",
        0x0392: "b", 0x0397: "h", 0x039C: "m", 0x039D: "n", 0x03A7: "x", 0x0396: "z",
    ]
}

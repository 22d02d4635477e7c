/// What a scalar is, for the questions detectors ask at every position. ``ScalarText`` looks each
/// scalar up once, so a detector tests a bit where it would otherwise compare ranges or query Unicode
/// properties.
struct ScalarKind: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `0`–`9`.
    static let digit = ScalarKind(rawValue: 1)
    /// `A`–`Z`.
    static let upper = ScalarKind(rawValue: 2)
    /// `a`–`z`.
    static let lower = ScalarKind(rawValue: 4)
    /// An alphabetic scalar outside ASCII.
    static let otherLetter = ScalarKind(rawValue: 8)
    /// An upper-case scalar outside ASCII.
    static let otherUpper = ScalarKind(rawValue: 16)
    /// `a`–`f` and `A`–`F`.
    static let hexLetter = ScalarKind(rawValue: 32)
    /// `+`, `/` and `=`: base64 beyond letters and digits.
    static let base64Symbol = ScalarKind(rawValue: 64)
    /// `_` and `-`: base64url beyond letters and digits.
    static let urlSymbol = ScalarKind(rawValue: 128)

    static let asciiLetter: ScalarKind = [.upper, .lower]
    static let asciiAlphanumeric: ScalarKind = [.digit, .upper, .lower]
    /// A letter or digit of any script (ASCII digits only, as `Unicode.Scalar.Properties.isAlphabetic`).
    static let alphanumeric: ScalarKind = [.digit, .upper, .lower, .otherLetter]
    static let hexDigit: ScalarKind = [.digit, .hexLetter]

    /// Whether the scalar has any of `kinds`.
    @inline(__always) public func isAny(_ kinds: ScalarKind) -> Bool { rawValue & kinds.rawValue != 0 }

    init(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 {
            self = Self.ascii[Int(scalar.value)]
        } else {
            self = Self.outsideASCII(scalar)
        }
    }

    /// Apart, so that a caller whose scalar is in a table does not pay for Unicode's properties: their
    /// type is looked up at run time wherever they may be asked.
    @inline(never) private static func outsideASCII(_ scalar: Unicode.Scalar) -> ScalarKind {
        var kind: ScalarKind = []
        if scalar.properties.isAlphabetic { kind.insert(.otherLetter) }
        if scalar.properties.isUppercase { kind.insert(.otherUpper) }
        return kind
    }

    /// The scalars below this have their kind in ``common``.
    static let commonLimit: UInt32 = 0x3000

    /// The kinds of U+0000 to U+2FFF by value (ASCII, Latin, Greek, Cyrillic, the Middle-Eastern and
    /// Indic scripts, general punctuation such as `’` and `—`, symbols), so that reading most text asks
    /// no Unicode property. Built once and kept for the process (12 KiB), never written after (so it
    /// is safe to share); read through a pointer without bounds checks by ``ScalarText``'s loop, whose
    /// index is below ``commonLimit``.
    nonisolated(unsafe) static let common: UnsafeBufferPointer<ScalarKind> = {
        let table = UnsafeMutableBufferPointer<ScalarKind>.allocate(capacity: Int(commonLimit))
        for value in 0..<commonLimit {
            // U+D800–U+DFFF are not scalars; they never reach the table.
            table[Int(value)] = Unicode.Scalar(value).map(ScalarKind.init) ?? []
        }
        return UnsafeBufferPointer(table)
    }()

    /// The kinds of the 128 ASCII scalars.
    static let ascii: [ScalarKind] = (0..<128).map { value in
        var kind: ScalarKind = []
        switch UInt8(value) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): kind.insert(.digit)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): kind.insert(.upper)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): kind.insert(.lower)
        case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): kind.insert(.base64Symbol)
        case UInt8(ascii: "_"), UInt8(ascii: "-"): kind.insert(.urlSymbol)
        default: break
        }
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): kind.insert(.hexLetter)
        default: break
        }
        return kind
    }
}

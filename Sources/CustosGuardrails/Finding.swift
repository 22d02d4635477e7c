/// Something a detector found in a text: its type (Presidio's entity names for personal data, a
/// provider name for secrets), where it is in Unicode scalars (end exclusive) and how sure the detector is.
public struct Finding: Hashable, Sendable {
    public var type: String
    public var start: Int
    public var end: Int
    /// 0…1: checksums and unambiguous formats give ≥ 0.9; shapes that need context, less unless
    /// a context word is near.
    public var score: Double

    public init(type: String, start: Int, end: Int, score: Double) {
        self.type = type
        self.start = start
        self.end = end
        self.score = score
    }
}

/// The data classes findings map to; policies and session taints use them.
public enum DataLabel: String, Hashable, Sendable, CaseIterable, Comparable {
    case `public`, `internal`, confidential, restricted, pii, phi, secret

    public static func < (lhs: DataLabel, rhs: DataLabel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

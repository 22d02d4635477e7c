import Foundation

/// Bounds on what clients may store, so that no request can grow the registry or the log without
/// limit: text lengths in code points (as JSON Schema's `maxLength` counts), no control characters.
public enum Limits {
    public static let text = 256
    public static let longText = 2048
    public static let listItems = 64

    public static func text(_ value: String, _ field: String, required: Bool = false, max: Int = Limits.text) throws(CustosError) {
        // Fast path for printable ASCII, by far the common case: one pass over the bytes.
        var isPrintableASCII = true
        var hasNonSpace = false
        for byte in value.utf8 {
            guard byte >= 0x20, byte < 0x7F else {
                isPrintableASCII = false
                break
            }
            if byte != 0x20 { hasNonSpace = true }
        }
        if isPrintableASCII {
            if required && !hasNonSpace { throw .invalidRequest("\(field) is required") }
            guard value.utf8.count <= max else { throw .invalidRequest("\(field) is longer than \(max) characters") }
            return
        }
        if required && value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidRequest("\(field) is required")
        }
        // Counted in code points, as JSON Schema's maxLength counts.
        guard value.unicodeScalars.count <= max else { throw .invalidRequest("\(field) is longer than \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidRequest("\(field) contains control characters")
        }
    }

    public static func list(_ values: [String], _ field: String) throws(CustosError) {
        guard values.count <= listItems else { throw .invalidRequest("\(field) has more than \(listItems) items") }
        for value in values { try text(value, field, required: true) }
    }
}

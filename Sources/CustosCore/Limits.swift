import Foundation

/// Bounds on what clients may store, so that no request can grow the registry or the log without
/// limit: text lengths in code points (as JSON Schema's `maxLength` counts), no control characters.
public enum Limits {
    public static let text = 256
    public static let longText = 2048
    public static let listItems = 64

    public static func text(_ value: String, _ field: String, required: Bool = false, max: Int = Limits.text) throws(CustosError) {
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

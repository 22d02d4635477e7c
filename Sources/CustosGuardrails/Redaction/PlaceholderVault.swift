import Synchronization

/// The placeholders of one session: the same value gets the same placeholder, and ``restore(_:)``
/// puts values back into text that comes back (a model's answer quoting `<EMAIL_ADDRESS_1>`).
public final class PlaceholderVault: Sendable {
    private struct State {
        var byValue: [String: String] = [:]
        var byPlaceholder: [String: String] = [:]
        var counters: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// Most distinct values one session may hold (a bound on memory).
    public static let capacity = 10_000

    public init() {}

    /// The placeholder for `value` of `type`; nil when the vault is full.
    func placeholder(for value: String, type: String) -> String? {
        state.withLock { state in
            if let known = state.byValue[type + "\u{0}" + value] { return known }
            guard state.byPlaceholder.count < Self.capacity else { return nil }
            let number = state.counters[type, default: 0] + 1
            state.counters[type] = number
            let placeholder = "<\(type)_\(number)>"
            state.byValue[type + "\u{0}" + value] = placeholder
            state.byPlaceholder[placeholder] = value
            return placeholder
        }
    }

    /// `text` with every placeholder this vault issued replaced by its value.
    public func restore(_ text: String) -> String {
        let table = state.withLock { $0.byPlaceholder }
        guard !table.isEmpty, text.contains("<") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: ">"), let value = table[String(rest[open...close])] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out += "<"
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }
}

/// Puts a session's values back into a stream of text (a model's answer, chunk by chunk): a
/// placeholder split across chunks is held until its `>` arrives, at most ``longest`` scalars.
public struct PlaceholderRestoreStream: Sendable {
    public let vault: PlaceholderVault
    /// Longer than any placeholder the vault writes (`<TYPE_n>`); a `<` further back is plain text.
    public static let longest = 64
    private var held = ""

    public init(vault: PlaceholderVault) {
        self.vault = vault
    }

    /// The restored text that can be released now.
    public mutating func write(_ chunk: String) -> String {
        let text = held + chunk
        held = ""
        if let open = text.unicodeScalars.lastIndex(of: "<"), !text.unicodeScalars[open...].contains(">"),
            text.unicodeScalars[open...].count < Self.longest
        {
            held = String(text.unicodeScalars[open...])
            return vault.restore(String(text.unicodeScalars[..<open]))
        }
        return vault.restore(text)
    }

    /// What was held, restored: the stream has ended.
    public mutating func finish() -> String {
        defer { held = "" }
        return vault.restore(held)
    }
}

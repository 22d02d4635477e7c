public import Cedar

/// The canonical JSON encoding of audit records: the JSON Canonicalization Scheme (RFC 8785)
/// restricted to values without fractional numbers, so that the same record always has the same
/// bytes and therefore the same leaf hash.
///
/// - No whitespace; object members sorted by the UTF-16 code units of their names.
/// - Strings as UTF-8; only `"` and `\` and the control characters U+0000–U+001F are escaped
///   (`\b \t \n \f \r`, the others as `\u00xx` with lowercase hex).
/// - Numbers are integers, written in decimal without a plus sign or leading zeros. Fractions and
///   exponents are refused: their canonical form depends on floating-point formatting.
public enum CanonicalJSON {
    public struct UnsupportedValue: Error, Sendable, CustomStringConvertible {
        public var description: String { "audit records hold no fractional numbers" }
    }

    public static func encode(_ value: JSONValue) throws(UnsupportedValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        try write(value, into: &output)
        return output
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) throws(UnsupportedValue) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let b): output += Array((b ? "true" : "false").utf8)
        case .integer(let n): output += Array(String(n).utf8)
        case .double: throw UnsupportedValue()
        case .string(let s): writeString(s, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                try write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let fields):
            output.append(UInt8(ascii: "{"))
            let keys = fields.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (position, key) in keys.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                // The key comes from the dictionary's own keys.
                try write(fields[key] ?? .null, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

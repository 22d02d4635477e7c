/// Cedar's `ipaddr`: an IPv4 or IPv6 address with a prefix length (a single address has the full length).
public struct IPAddr: Hashable, Sendable, CustomStringConvertible {
    public let isV4: Bool
    /// The address bits; IPv4 addresses occupy the low 32 bits.
    public let address: UInt128
    public let prefixLength: Int

    public init(isV4: Bool, address: UInt128, prefixLength: Int) {
        self.isV4 = isV4
        self.address = address
        self.prefixLength = prefixLength
    }

    var width: Int { isV4 ? 32 : 128 }

    /// The lowest and highest address covered by the network.
    var range: (low: UInt128, high: UInt128) {
        let hostBits = width - prefixLength
        if hostBits == 128 { return (0, UInt128.max) }
        let hostMask = ((1 as UInt128) << hostBits) - 1
        return (address & ~hostMask, address | hostMask)
    }

    /// True when every address of `self` lies within `other` (same family only).
    public func isInRange(_ other: IPAddr) -> Bool {
        guard isV4 == other.isV4 else { return false }
        let mine = range
        let theirs = other.range
        return theirs.high >= mine.high && mine.low >= theirs.low
    }

    public var isLoopback: Bool {
        isInRange(isV4 ? IPAddr(isV4: true, address: 0x7F00_0000, prefixLength: 8) : IPAddr(isV4: false, address: 1, prefixLength: 128))
    }

    public var isMulticast: Bool {
        isInRange(
            isV4
                ? IPAddr(isV4: true, address: 0xE000_0000, prefixLength: 4)
                : IPAddr(isV4: false, address: UInt128(0xFF00) << 112, prefixLength: 8))
    }

    /// Parses an IPv4 or IPv6 address with an optional `/prefix`, as Cedar's `ip()` does:
    /// no leading zeros in IPv4 octets or prefixes, no embedded IPv4 in IPv6, no zone ids.
    public init?(parsing text: String) {
        if let v4 = Self.parseNet(text, v4: true) {
            self = v4
        } else if let v6 = Self.parseNet(text, v4: false) {
            self = v6
        } else {
            return nil
        }
    }

    private static func parseNet(_ text: String, v4: Bool) -> IPAddr? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let width = v4 ? 32 : 128
        var prefix = width
        if parts.count == 2 {
            guard let parsed = decimalComponent(parts[1], maxDigits: v4 ? 2 : 3), parsed <= width else { return nil }
            prefix = parsed
        }
        guard let address = v4 ? parseV4(parts[0]) : parseV6(parts[0]) else { return nil }
        return IPAddr(isV4: v4, address: address, prefixLength: prefix)
    }

    private static func decimalComponent(_ text: Substring, maxDigits: Int) -> Int? {
        guard !text.isEmpty, text.count <= maxDigits, text.unicodeScalars.allSatisfy({ $0 >= "0" && $0 <= "9" }),
            !(text.hasPrefix("0") && text != "0")
        else { return nil }
        return Int(text)
    }

    private static func parseV4(_ text: Substring) -> UInt128? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt128 = 0
        for octet in octets {
            guard let n = decimalComponent(octet, maxDigits: 3), n <= 255 else { return nil }
            value = value << 8 | UInt128(n)
        }
        return value
    }

    private static func parseGroups(_ text: Substring) -> [UInt128]? {
        if text.isEmpty { return [] }
        var groups: [UInt128] = []
        for group in text.split(separator: ":", omittingEmptySubsequences: false) {
            guard !group.isEmpty, group.count <= 4, let n = UInt16(group, radix: 16),
                group.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit })
            else { return nil }
            groups.append(UInt128(n))
        }
        return groups
    }

    private static func parseV6(_ text: Substring) -> UInt128? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        var groups: [UInt128]
        switch halves.count {
        case 1:
            guard let all = parseGroups(halves[0]) else { return nil }
            groups = all
        case 2:
            guard let head = parseGroups(halves[0]), let tail = parseGroups(halves[1]),
                head.count + tail.count < 8
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
        guard groups.count == 8 else { return nil }
        return groups.reduce(0) { $0 << 16 | $1 }
    }

    public var description: String {
        var text: String
        if isV4 {
            text = (0..<4).map { String((address >> (8 * (3 - $0))) & 0xFF) }.joined(separator: ".")
        } else {
            text = (0..<8).map { String((address >> (16 * (7 - $0))) & 0xFFFF, radix: 16) }.joined(separator: ":")
        }
        if prefixLength != width { text += "/\(prefixLength)" }
        return text
    }
}

import Cedar
import PropertyBased
import Testing

/// Properties that must hold for any input: parsers never crash, and values survive printing.
@Suite struct PropertyTests {
    static let fragments = [
        "permit", "forbid", "(", ")", "principal", "action", "resource", "context", ",", ";", "==", "!=", "in", "is",
        "has", "like", "when", "unless", "{", "}", "[", "]", "if", "then", "else", "&&", "||", "!", "-", "+", "*",
        "\"a\"", "\"\\*\"", "User::\"x\"", "Action::\"v\"", "1", "9223372036854775807", ".", "::", "?principal",
        "?resource", "@id(\"x\")", "ip(\"::1\")", "decimal(\"1.0\")", ".contains(", ".isEmpty()", "true", "false", " ",
        "\n", "//c\n", "\"", "\\", "ü", "\u{0}",
    ]

    @Test func theParserNeverCrashesOnTokenSoup() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0..<Self.fragments.count).array(of: 0...40)) { indices in
            let text = indices.map { Self.fragments[$0] }.joined()
            if let set = try? PolicySet(parsing: text) {
                // Whatever parses must print as text that parses back to the same policies.
                let again = try? PolicySet(parsing: set.cedarText)
                #expect(again?.json == set.json, "\(text)")
            }
        }
    }

    @Test func theParserNeverCrashesOnArbitraryCharacters() async {
        await propertyCheck(count: 2000, input: Gen.character(in: "\u{0}"..."\u{2FF}").string(of: 0...80)) { text in
            _ = try? PolicySet(parsing: text)
            _ = try? Schema(cedarSchema: text)
            _ = try? Expr(parsing: text)
        }
    }

    @Test func decimalsSurvivePrinting() async {
        await propertyCheck(input: Gen.int64(in: Int64.min...Int64.max)) { scaled in
            let value = CedarDecimal(scaled: scaled)
            #expect(CedarDecimal(parsing: value.description) == value)
        }
    }

    @Test func durationsSurvivePrinting() async {
        await propertyCheck(input: Gen.int64(in: (Int64.min + 1)...Int64.max)) { ms in
            let value = CedarDuration(milliseconds: ms)
            #expect(CedarDuration(parsing: value.description) == value)
        }
    }

    @Test func datetimesSurvivePrinting() async {
        // Years 0001 through 9999, the range Cedar's datetime strings can express.
        await propertyCheck(input: Gen.int64(in: -62_135_596_800_000...253_402_300_799_999)) { ms in
            let value = CedarDatetime(millisecondsSinceEpoch: ms)
            #expect(CedarDatetime(parsing: value.description) == value, "\(value)")
        }
    }

    @Test func addressesSurvivePrinting() async {
        await propertyCheck(input: Gen.uint32(), Gen.int(in: 0...32), Gen.uint64(), Gen.uint64(), Gen.int(in: 0...128)) {
            v4, prefix4, high, low, prefix6 in
            let ip4 = IPAddr(isV4: true, address: UInt128(v4), prefixLength: prefix4)
            #expect(IPAddr(parsing: ip4.description) == ip4)
            let ip6 = IPAddr(isV4: false, address: UInt128(high) << 64 | UInt128(low), prefixLength: prefix6)
            #expect(IPAddr(parsing: ip6.description) == ip6)
        }
    }
}

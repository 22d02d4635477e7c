import Foundation
import Cedar
import PropertyBased
import Testing

@Suite struct JSONParserTests {
    @Test func valuesOfEveryKind() throws {
        let value = try JSONValue.decode(#" {"a": [true, false, null, 0, -12, 9223372036854775807, 1.5, 2e3, "x\n\u00e9\ud83d\ude00\/"]} "#)
        #expect(
            value
                == .object([
                    "a": .array([
                        .bool(true), .bool(false), .null, .integer(0), .integer(-12), .integer(Int64.max), .double(1.5),
                        .double(2000), .string("x\né😀/"),
                    ])
                ]))
        #expect(try JSONValue.decode("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test(arguments: [
        #"{"a": 1, "a": 2}"#, "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul", "[1] 2",
        "\"a\u{1}b\"", #""\x""#, #""\ud800""#, #""\ud800\u0041""#, #""\u12""#, "\"abc", "{\"a\" 1}", "{1: 2}", "",
        "[" + String(repeating: "[", count: 600) + String(repeating: "]", count: 601),
    ])
    func malformedDocumentsAreRejected(text: String) {
        #expect(throws: CedarError.json("")) { try JSONValue.decode(text) }
    }

    @Test func errorsSayWhere() {
        do {
            _ = try JSONValue.decode("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("2:8"), "\(error)")
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: CedarError.self) { try JSONValue.decode(Data([0x22, 0xC3, 0x28, 0x22])) }
    }

    @Test func encodedDocumentsParseBackToTheSameValue() async {
        let scalar = Gen.int(in: 0..<5).map { (n: Int) -> JSONValue in
            switch n {
            case 0: .integer(Int64(n) * 1_000_003 - 7)
            case 1: .string("k\(n)\"\\\u{7}é")
            case 2: .bool(n % 2 == 0)
            case 3: .null
            default: .double(0.25)
            }
        }
        await propertyCheck(input: scalar.array(of: 0...6), Gen.letter.string(of: 1...4).array(of: 0...4)) { items, keys in
            var object: [String: JSONValue] = [:]
            for (key, value) in zip(keys, items) { object[key] = value }
            let document = JSONValue.array([.object(object), .array(items)])
            #expect((try? JSONValue.decode(document.encoded())) == document)
        }
    }

    @Test func arbitraryBytesNeverCrashTheParser() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...255).array(of: 0...64)) { (bytes: [Int]) in
            _ = try? JSONValue.decode(Data(bytes.map { UInt8($0) }))
        }
    }
}

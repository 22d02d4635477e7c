import Foundation
import PropertyBased
import Testing

@testable import Cedar

/// The parallel array reader must accept exactly the documents the sequential parser accepts as an
/// array, with the same elements, wherever the chunk boundaries fall.
@Suite struct JSONArrayReaderTests {
    /// Elements chosen to confuse a scanner: brackets, commas and quotes inside strings, escapes, nesting.
    static let elements = [
        #""a,b""#, #""\"]""#, #"{"k": [1, "]"], "l": {"m": "}"}}"#, "[]", "{}", #""\\""#, "-0.5e3", "null",
        #""é,""#, "[[[]]]", #"{"x": "}\\\""}"#, "true", #""\u005d""#, "12345678901234567890", #"{"a": 1, "a": 2}"#,
    ]
    /// Bytes a mutation inserts or substitutes.
    static let mutations: [UInt8] = Array(#"[]{}",\: 1"#.utf8) + [0xC3]

    static func readChunked(_ bytes: [UInt8], chunkBytes: Int) -> [JSONValue]? {
        try? JSONArrayReader.map(
            bytes, chunkBytes: chunkBytes,
            notAnArray: { (_) throws(CedarError) -> [JSONValue] in throw .json("not an array") },
            { $0 })
    }

    static func readSequentially(_ bytes: [UInt8]) -> [JSONValue]? {
        guard case .array(let items) = try? JSONValue.decode(Data(bytes)) else { return nil }
        return items
    }

    @Test func agreesWithTheSequentialParserOnArraysAndTheirMutations() async {
        let picks = Gen.int(in: 0..<Self.elements.count).array(of: 0...30)
        let mutation = Gen.int(in: 0...2)
        await propertyCheck(
            count: 2000, input: picks, Gen.int(in: 1...64), mutation, Gen.int(in: 0...10_000),
            Gen.int(in: 0..<Self.mutations.count)
        ) { picks, chunkBytes, kind, position, byte in
            var bytes = Array(("[ " + picks.map { Self.elements[$0] }.joined(separator: " ,\n") + " ]").utf8)
            let at = position % (bytes.count + 1)
            switch kind {
            case 1 where at < bytes.count: bytes.remove(at: at)
            case 2: bytes.insert(Self.mutations[byte], at: at)
            default: break
            }
            #expect(Self.readChunked(bytes, chunkBytes: chunkBytes) == Self.readSequentially(bytes))
        }
    }

    @Test(arguments: ["[]", " [ ] ", "[1]", "[1,2] ", "[[1],[2]]"])
    func wellFormedArrays(text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.readChunked(bytes, chunkBytes: 1) == Self.readSequentially(bytes))
        #expect(Self.readChunked(bytes, chunkBytes: 1) != nil)
    }

    @Test(arguments: ["", "[", "[1,]", "[,1]", "[1 2]", "[1]]", "[1] x", "{}", "1", "[\"]", "[1,,2]", "]"])
    func malformedOrNonArrayDocumentsAreRejected(text: String) {
        #expect(Self.readChunked(Array(text.utf8), chunkBytes: 1) == nil)
    }

    @Test func entitiesFromBytesMatchEntitiesFromTheTree() throws {
        var items: [String] = []
        for n in 0..<5000 {
            items.append(#"{"uid": {"type": "User", "id": "u\#(n)"}, "attrs": {"n": \#(n)}, "parents": [{"type": "Group", "id": "g\#(n % 7)"}]}"#)
        }
        let text = "[" + items.joined(separator: ",") + "]"
        let fromBytes = try Entities(jsonData: text.utf8)
        let fromTree = try Entities(json: try JSONValue.decode(text))
        #expect(fromBytes.entities == fromTree.entities)
        #expect(fromBytes.isDescendant(EntityUID("User", "u8"), of: EntityUID("Group", "g1")))
    }

    @Test func theFirstBadEntityInTheDocumentIsReported() {
        var items: [String] = []
        for n in 0..<3000 {
            let parents = n == 1200 || n == 2900 ? #""not a list""# : "[]"
            let pad = String(repeating: "x", count: 100)
            items.append(#"{"uid": {"type": "User", "id": "u\#(n)"}, "parents": \#(parents), "attrs": {"pad": "\#(pad)"}}"#)
        }
        let text = "[" + items.joined(separator: ",") + "]"
        let sequential = #expect(throws: CedarError.self) { try Entities(json: try JSONValue.decode(text)) }
        let parallel = #expect(throws: CedarError.self) { try Entities(jsonData: text.utf8) }
        #expect(parallel?.message == sequential?.message)
        #expect(parallel?.message.contains("u1200") == true, "\(String(describing: parallel))")
    }
}

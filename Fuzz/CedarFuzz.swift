// libFuzzer entry point for the Cedar parsers. Built by Scripts/fuzz-cedar.sh, not by SwiftPM.
// Every input is tried as policy text, an expression, a schema and a JSON document (whole and as a
// chunked array); whatever parses as policies must format to text that parses back to the same policies.

@_cdecl("LLVMFuzzerTestOneInput")
public func cedarFuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    if let set = try? PolicySet(parsing: text) {
        guard let again = try? PolicySet(parsing: set.cedarText), again.json == set.json else {
            fatalError("formatting changed the policies of: \(text)")
        }
        if let fromJSON = try? PolicySet(json: set.json), fromJSON.json != set.json {
            fatalError("the JSON policy format changed the policies of: \(text)")
        }
    }
    _ = try? Expr(parsing: text)
    _ = try? Schema(cedarSchema: text)
    let json = try? JSONParser.parse(bytes)
    if let json {
        _ = try? Schema(json: json)
        _ = try? Entities(json: json)
        _ = try? PolicySet(json: json)
    }
    // The parallel array reader, cutting at every top-level comma, accepts exactly the arrays the parser does.
    let chunked = try? JSONArrayReader.map(
        bytes, chunkBytes: 1, notAnArray: { (_) throws(CedarError) -> [JSONValue] in throw .json("not an array") }, { $0 })
    var sequential: [JSONValue]? = nil
    if case .array(let items)? = json { sequential = items }
    guard chunked == sequential else { fatalError("the array reader and the parser disagree on: \(text)") }
    return 0
}

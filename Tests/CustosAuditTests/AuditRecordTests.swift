import Cedar
import CustosAudit
import CustosCore
import Foundation
import PropertyBased
import Testing

@Suite struct AuditRecordTests {
    @Test func canonicalJSONSortsByUTF16AndEscapesMinimally() throws {
        let value = JSONValue.object([
            "\u{FF61}": .integer(1), "\u{1F600}": .integer(2), "b": .array([.bool(true), .null, .integer(-7)]),
            "a": .string("q\"\\/\u{1}\n\u{7F}é"),
        ])
        let text = String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
        #expect(text == #"{"a":"q\"\\/\u0001\n\#u{7F}é","b":[true,null,-7],"😀":2,"｡":1}"#)
        #expect(throws: CanonicalJSON.UnsupportedValue.self) { try CanonicalJSON.encode(.array([.double(1.5)])) }
    }

    @Test func timesHaveOneSpellingAndRoundTrip() async {
        #expect(AuditTime.format(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(AuditTime.format(microseconds: 1_795_786_171_123_456) == "2026-11-27T13:29:31.123456Z")
        #expect(AuditTime.format(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        for bad in ["2026-02-29T00:00:00.000000Z", "2026-11-27T24:00:00.000000Z", "2026-11-27T13:29:31.12345Z",
            "2026-11-27 13:29:31.123456Z", "2026-11-27T13:29:31.123456+00:00"]
        {
            #expect(AuditTime.parse(bad) == nil, "\(bad)")
        }
        #expect(AuditTime.parseRFC3339("2026-11-27t14:29:31.5+01:00") == AuditTime.parse("2026-11-27T13:29:31.500000Z"))
        #expect(AuditTime.parseRFC3339("1999-12-31 23:59:60z") == AuditTime.parse("2000-01-01T00:00:00.000000Z"))
        for bad in ["2026-11-27T13:29:31", "2026-11-27T13:29:31.Z", "2026-11-27T13:29:31+1:00", "2026-13-01T00:00:00Z", ""] {
            #expect(AuditTime.parseRFC3339(bad) == nil, "\(bad)")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        await propertyCheck(count: 2000, input: Gen.int(in: 0...253_402_300_799_999_999)) { (micros: Int) in
            let text = AuditTime.format(microseconds: Int64(micros))
            #expect(AuditTime.parse(text) == Int64(micros))
            #expect(AuditTime.parseRFC3339(text) == Int64(micros))
            let date = Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))
            #expect(text.prefix(19) == formatter.string(from: date).prefix(19))
        }
    }

    @Test func recordsRoundTripThroughTheirCanonicalBytes() throws {
        var record = AuditRecord(kind: .event, event: "agent.registered")
        record.time = 1_795_786_171_123_456
        record.agent = "a-1"
        record.sponsor = "alice@example.com"
        record.authorizedBy = "User::\"alice\""
        record.decision = .needsApproval
        record.policies = ["p1", "p2"]
        record.findings = [.object(["type": "US_SSN", "score": .integer(90)])]
        record.details = ["nested": .object(["k": .array([.integer(1)])])]
        let bytes = try record.canonicalBytes()
        #expect(try AuditRecord(canonicalBytes: bytes) == record)
        #expect(try record.canonicalBytes() == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"agent":"a-1","authorized_by":"User::\"alice\"","decision":"needs_approval","#))
    }

    @Test func theFieldByFieldEncoderMatchesTheGenericOne() async throws {
        let text = Gen.int(in: 0..<4).map { ["a", "é\\\"", "Zz", "\u{1F600}/x"][$0] }.optional
        await propertyCheck(
            count: 500, input: text, text, text, text, text, Gen.int(in: 0..<3), Gen.int(in: 0..<3), Gen.int(in: -5...5)
        ) { agent, action, session, traceID, event, kind, decision, number in
            var record = AuditRecord(kind: AuditRecord.Kind.allCases[kind], event: event)
            record.time = Int64(number) * 1_234_567_891
            record.agent = agent
            record.action = action
            record.session = session
            record.traceID = traceID
            record.decision = decision == 0 ? nil : AuditRecord.Decision.allCases[decision]
            record.policies = number > 0 ? ["p\(number)", "q"] : []
            record.findings = number < 0 ? [.object(["k": .integer(Int64(number))])] : []
            record.details = number % 2 == 0 ? ["z": .null, "a": .array([.bool(true)])] : [:]
            record.authorizedBy = agent.map { "User::\"\($0)\"" }
            let fieldByField = try? record.canonicalBytes()
            let generic = try? CanonicalJSON.encode(record.json)
            #expect(fieldByField != nil && fieldByField == generic)
        }
    }

    @Test(arguments: [
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"decision","extra":1}"#,
        #"{"v":2,"time":"2026-11-27T13:29:31.123456Z","kind":"decision"}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31Z","kind":"decision"}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"other"}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"decision","decision":"maybe"}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"decision","policies":[1]}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"decision","findings":["x"]}"#,
        #"{"v":1,"time":"2026-11-27T13:29:31.123456Z","kind":"decision","agent":""}"#,
        #"[1]"#, #"{"v":1,"v":1}"#,
    ])
    func malformedRecordsAreRejected(text: String) {
        #expect(throws: CustosError.invalidRequest("")) { try AuditRecord(canonicalBytes: Array(text.utf8)) }
    }
}

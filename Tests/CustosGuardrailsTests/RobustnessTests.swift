import CustosGuardrails
import PropertyBased
import Testing

/// Any text: findings stay inside it, never overlap, and long hostile inputs finish (every detector
/// is one bounded pass).
@Suite struct RobustnessTests {
    @Test func findingsAreWellFormedForAnyText() async {
        let pieces = [
            "4111", " ", "-", "@", ".", "+41", "(0)", "GB82", "WEST", "eyJ", "sk-", "://", ":", "x", "🙂", "é", "\n", "9", "0",
            "CONFIDENTIAL", "Classification", "İ", "Sarah", "John", "A.", "Møller", "O'", "Park",
        ]
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...Int.max)) { seed in
            var state = UInt64(truncatingIfNeeded: seed) | 1
            func next() -> Int {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return Int(state % 1_000_000)
            }
            let text = (0..<(next() % 60)).map { _ in pieces[next() % pieces.count] }.joined()
            let result = GuardrailScanner().scan(text)
            let length = text.unicodeScalars.count
            #expect(Set(result.pii.map(\.type)).isSubset(of: FindingTypes.personalData))
            #expect(Set(result.secrets.map(\.type)).isSubset(of: FindingTypes.secrets))
            for group in [result.pii, result.secrets, result.markings] {
                for finding in group { #expect(0 <= finding.start && finding.start < finding.end && finding.end <= length) }
                for (a, b) in zip(group, group.dropFirst()) { #expect(a.end <= b.start, "overlap in \(text)") }
            }
        }
    }

    @Test(arguments: [
        String(repeating: "1", count: 200_000),
        String(repeating: "@a.", count: 100_000),
        String(repeating: "1-", count: 100_000),
        String(repeating: "eyJ.", count: 50_000),
        String(repeating: "a://b:", count: 40_000),
        String(repeating: "GB82 ", count: 40_000),
        String(repeating: "-----BEGIN PRIVATE KEY-----", count: 5_000),
        String(repeating: "a@b.co ", count: 50_000),
        String(repeating: "AKIAIOSFODNN7EXAMPLE token=9fQ3xZ7LmP2vT8kR4wN6yB1c ", count: 10_000),
        String(repeating: "1 Aa Bb Cc Dd ", count: 40_000),
        String(repeating: "Mr. Mr. Name: ", count: 40_000),
        String(repeating: "Sarah John A. Sarah-", count: 40_000),
        String(repeating: "born 12/12/1212 July ", count: 20_000),
        String(repeating: "passport 1EG4-TE5-MK73 ", count: 20_000),
        String(repeating: "classification:classification: confidential\nCONFIDENTIAL\n", count: 20_000),
        String(repeating: ":", count: 200_000),
    ])
    func hostileInputsFinish(text: String) {
        let result = GuardrailScanner().scan(text)
        #expect(result.pii.count + result.secrets.count >= 0)
    }
}

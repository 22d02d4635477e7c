import CustosGuardrails
import PropertyBased
import Testing

/// Streams redacted chunk by chunk: the same text as redacting it whole, however it is cut, with a
/// bounded hold; block and over-long findings stop the stream; placeholders come back across chunks.
@Suite struct RedactionStreamTests {
    static let key = [UInt8](repeating: 7, count: 32)
    static let pieces = [
        "hello there ", "mail ana@example.org ", "card 4111 1111 1111 1111 ", "key AKIAIOSFODNN7EXAMPLE ",
        "call +41 44 668 18 00 now ", "IBAN GB82 WEST 1234 5698 7654 32 ", "Dr. Jane Porter wrote ", "🙂 é ",
        "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 ", "ssn 078-05-1120 ", "\n", "lorem ipsum dolor sit amet ",
    ]

    static func redactor(_ mode: RedactionMode = .placeholder) -> Redactor {
        Redactor(policy: RedactionPolicy(byLabel: [.secret: .mask], defaultMode: mode), hashKey: key)
    }

    static func stream(_ redactor: Redactor = redactor(), lookBehind: Int = 256, maximumHeld: Int = 4096) -> RedactionStream {
        RedactionStream(redactor: redactor, scanner: GuardrailScanner(), vault: PlaceholderVault(), lookBehind: lookBehind, maximumHeld: maximumHeld)
    }

    @Test func anyCuttingGivesTheWholeTextsRedaction() async {
        let pieces = Gen.int(in: 0..<Self.pieces.count).array(of: 0...120)
        await propertyCheck(count: 200, input: pieces, Gen.int(in: 1...300).array(of: 1...40), Gen.int(in: 64...576)) {
            indices, cuts, lookBehind in
            let text = indices.map { Self.pieces[$0] }.joined()
            let whole = Self.redactor().redact(text, GuardrailScanner().scan(text), vault: PlaceholderVault())
            var stream = Self.stream(lookBehind: lookBehind)
            let bytes = Array(text.utf8)
            var out = ""
            var cursor = 0
            // Cuts fall anywhere, inside characters too.
            var turn = 0
            while cursor < bytes.count {
                let end = min(bytes.count, cursor + cuts[turn % cuts.count])
                out += stream.write(utf8: bytes[cursor..<end])
                cursor = end
                turn += 1
            }
            out += stream.finish()
            #expect(out == whole.text)
            #expect(stream.replaced == whole.replaced)
            #expect(stream.blockedReason == nil)
        }
    }

    @Test func aFindingIsHeldUntilItIsWhole() {
        var stream = Self.stream(lookBehind: 32)
        var out = stream.write("x " + String(repeating: "filler ", count: 10) + "card 4111 1111")
        // Whatever is released never ends inside the number.
        #expect(!out.contains("4111"))
        out += stream.write(" 1111 1111 and more " + String(repeating: "text ", count: 20))
        out += stream.finish()
        #expect(out.contains("card <CREDIT_CARD_1> and more"))
    }

    @Test func aTokenLongerThanTheLookBehindIsHeldWhole() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ" + String(repeating: "c3ViIjoiYWdlbnQifQ", count: 150) + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        var stream = Self.stream(lookBehind: 16)
        var out = stream.write("bearer ")
        for start in stride(from: 0, to: jwt.utf8.count, by: 7) {
            out += stream.write(utf8: Array(jwt.utf8)[start..<min(jwt.utf8.count, start + 7)])
        }
        out += stream.write(" done " + String(repeating: "word ", count: 10))
        out += stream.finish()
        #expect(out.hasPrefix("bearer ***") && !out.contains("eyJ") && !out.contains("c3Vi") && out.hasSuffix("done " + String(repeating: "word ", count: 10)))
    }

    @Test func oneHugeWriteIsScannedToItsEnd() {
        // More than the scanner takes at once: the stream scans it in slices.
        var stream = RedactionStream(redactor: Self.redactor(), scanner: GuardrailScanner(), vault: PlaceholderVault())
        let tail = String(repeating: " word", count: 100)
        let text = String(repeating: "word ", count: 900_000) + "mail ana@example.org" + tail
        let out = stream.write(text) + stream.finish()
        #expect(out.hasSuffix("word mail <EMAIL_ADDRESS_1>" + tail) && out.unicodeScalars.count == text.unicodeScalars.count - 15 + 17)
    }

    @Test func aBlockedFindingStopsTheStream() {
        let policy = RedactionPolicy(byLabel: [.secret: .block], defaultMode: .mask)
        var stream = Self.stream(Redactor(policy: policy, hashKey: Self.key), lookBehind: 16)
        let first = stream.write(String(repeating: "safe words ", count: 10))
        #expect(!first.isEmpty)
        #expect(stream.write("key AKIAIOSFODNN7EXAMPLE and then " + String(repeating: "more ", count: 20)) == "")
        #expect(stream.blockedReason != nil)
        #expect(stream.write("anything") == "" && stream.finish() == "")
    }

    @Test func aFindingLongerThanTheBoundFailsClosed() {
        var stream = Self.stream(lookBehind: 64, maximumHeld: 1024)
        var out = stream.write("ok\n-----BEGIN RSA PRIVATE KEY-----\n")
        for _ in 0..<100 { out += stream.write(String(repeating: "A", count: 63) + "\n") }
        out += stream.finish()
        #expect(stream.blockedReason == "a finding longer than the stream's bound")
        #expect(!out.contains("AAAA") && !out.contains("BEGIN"))
        // Within the bound the whole block is masked.
        var short = Self.stream(lookBehind: 64, maximumHeld: 1024)
        var masked = short.write("ok\n-----BEGIN RSA PRIVATE KEY-----\n")
        for _ in 0..<10 { masked += short.write(String(repeating: "A", count: 63) + "\n") }
        masked += short.write("-----END RSA PRIVATE KEY-----\nbye")
        masked += short.finish()
        #expect(masked.hasPrefix("ok\n-----***** ") && masked.hasSuffix("-----\nbye") && !masked.contains("AAAA"))
    }

    @Test func charactersSplitBetweenWritesSurvive() {
        var stream = Self.stream(lookBehind: 16)
        let bytes = Array("héllo 🙂 wörld, mail ana@example.org".utf8)
        var out = ""
        for byte in bytes { out += stream.write(utf8: [byte]) }
        out += stream.finish()
        #expect(out == "héllo 🙂 wörld, mail <EMAIL_ADDRESS_1>")
        var invalid = Self.stream(lookBehind: 16)
        #expect(invalid.write(utf8: [0x61, 0xFF, 0xE2, 0x82]) + invalid.finish() == "a\u{FFFD}\u{FFFD}")
    }

    @Test func restoringAnyCuttingGivesTheWholeTextsRestoration() async {
        let vault = PlaceholderVault()
        let text = "mail ana@example.org and bob@example.org, card 4111 1111 1111 1111"
        let redacted = Self.redactor().redact(text, GuardrailScanner().scan(text), vault: vault).text
        let answer = "To <EMAIL_ADDRESS_2>: <CREDIT_CARD_1> < <EMAIL_ADDRESS_1><EMAIL_ADDRESS_9> <" + redacted + " <"
        let whole = vault.restore(answer)
        let scalars = Array(answer.unicodeScalars)
        await propertyCheck(count: 300, input: Gen.int(in: 1...12).array(of: 1...30)) { cuts in
            var restore = PlaceholderRestoreStream(vault: vault)
            var out = ""
            var cursor = 0
            var turn = 0
            while cursor < scalars.count {
                let end = min(scalars.count, cursor + cuts[turn % cuts.count])
                out += restore.write(String(String.UnicodeScalarView(scalars[cursor..<end])))
                cursor = end
                turn += 1
            }
            #expect(out + restore.finish() == whole)
        }
        #expect(whole.contains("ana@example.org") && whole.contains("4111 1111 1111 1111") && whole.contains("<EMAIL_ADDRESS_9>"))
    }

    @Test func placeholdersAreRestoredAcrossChunks() {
        let vault = PlaceholderVault()
        let redacted = Self.redactor().redact("ana@example.org", GuardrailScanner().scan("ana@example.org"), vault: vault).text
        #expect(redacted == "<EMAIL_ADDRESS_1>")
        var restore = PlaceholderRestoreStream(vault: vault)
        var out = ""
        for chunk in ["Write to <EMAIL_", "ADDRESS_1", "> and a < b, <NOT_1> stays", " <EMAIL_ADDRESS_1"] { out += restore.write(chunk) }
        out += restore.finish()
        #expect(out == "Write to ana@example.org and a < b, <NOT_1> stays <EMAIL_ADDRESS_1")
    }
}

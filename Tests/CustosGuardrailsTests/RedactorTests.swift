import CustosGuardrails
import Testing

/// Redaction as a policy says: mask, keyed hash, session placeholders that can be restored, block.
@Suite struct RedactorTests {
    static let key = [UInt8](repeating: 7, count: 32)
    static let text = "mail ana@example.org or bob@example.org, card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE"

    func redact(_ policy: RedactionPolicy, _ text: String = text, vault: PlaceholderVault? = nil) -> Redaction {
        Redactor(policy: policy, hashKey: Self.key).redact(text, GuardrailScanner().scan(text), vault: vault)
    }

    @Test func maskKeepsTheLastFourOfACard() {
        let result = redact(RedactionPolicy(byLabel: [.secret: .allow], defaultMode: .mask))
        #expect(result.text == "mail ***@*******.*** or ***@*******.***, card **** **** **** 1111, key AKIAIOSFODNN7EXAMPLE")
        #expect(result.replaced.count == 3)
    }

    @Test func hashTagsAreStableAndKeyed() {
        let policy = RedactionPolicy(byType: ["EMAIL_ADDRESS": .hash], defaultMode: .allow)
        let once = redact(policy, "ana@example.org").text
        #expect(once.hasPrefix("<EMAIL_ADDRESS:") && once.count == "<EMAIL_ADDRESS:".count + 13)
        #expect(redact(policy, "ana@example.org").text == once)
        let otherKey = Redactor(policy: policy, hashKey: [UInt8](repeating: 8, count: 32))
        #expect(otherKey.redact("ana@example.org", GuardrailScanner().scan("ana@example.org")).text != once)
    }

    @Test func placeholdersAreRestoredWithinTheSession() {
        let vault = PlaceholderVault()
        let policy = RedactionPolicy(defaultMode: .placeholder)
        let result = redact(policy, vault: vault)
        #expect(result.text == "mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_2>, card <CREDIT_CARD_1>, key <AWS_ACCESS_KEY_ID_1>")
        // The same value keeps its placeholder; the answer that quotes them is restored.
        #expect(redact(policy, "again ana@example.org", vault: vault).text == "again <EMAIL_ADDRESS_1>")
        #expect(vault.restore("Write to <EMAIL_ADDRESS_2> about <CREDIT_CARD_1>; <NOT_OURS_1> stays.")
            == "Write to bob@example.org about 4111 1111 1111 1111; <NOT_OURS_1> stays.")
        #expect(PlaceholderVault().restore("<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>", "another session's vault knows nothing")
    }

    @Test func blockRefusesTheWholeText() {
        let result = redact(RedactionPolicy(byLabel: [.secret: .block], defaultMode: .mask))
        #expect(result.blocked)
        #expect(redact(RedactionPolicy(byLabel: [.secret: .block], defaultMode: .mask), "only ana@example.org").blocked == false)
    }

    @Test func phiRulesApplyToIdentifiersInTextsAboutHealth() {
        let policy = RedactionPolicy(byLabel: [.phi: .block], defaultMode: .placeholder)
        #expect(redact(policy, "Patient Sarah Connor was diagnosed in May.").blocked)
        let plain = redact(policy, "Sarah Connor called about the invoice.", vault: PlaceholderVault())
        #expect(!plain.blocked && plain.text == "<PERSON_1> called about the invoice.")
    }

    @Test func offsetsSurviveCharactersOutsideTheBasicPlane() {
        let result = redact(RedactionPolicy(defaultMode: .placeholder), "🙂🙂 ana@example.org 🙂", vault: PlaceholderVault())
        #expect(result.text == "🙂🙂 <EMAIL_ADDRESS_1> 🙂")
    }
}

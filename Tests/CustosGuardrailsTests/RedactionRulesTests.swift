@testable import CustosGuardrails
import Foundation
import PropertyBased
import Testing

/// Redaction rules per label and per destination, the labels a deployment adds, and the
/// classification markings documents carry.
@Suite struct RedactionRulesTests {
    static let key = [UInt8](repeating: 7, count: 32)
    static let text = "mail ana@example.org, card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE"
    static var document: [String: Any] {
        [
        "classification": ["CREDIT_CARD": "restricted", "US_SSN": ["restricted", "confidential"]],
        "labels": ["pii": "placeholder", "secret": "mask"],
        "types": ["EMAIL_ADDRESS": "hash"],
        "destinations": [
            ["zone": "internal", "labels": ["pii": "allow"]],
            ["zone": "external", "vendor": ["openai", "mistral"], "labels": ["restricted": "block"]],
            ["vendor": "anthropic", "default": "block", "types": ["AWS_ACCESS_KEY_ID": "placeholder"]],
        ],
        ]
    }

    func redact(_ rules: RedactionRules, _ destination: RedactionDestination, _ text: String = text) -> Redaction {
        let redactor = Redactor(policy: rules.policy(for: destination), hashKey: Self.key)
        return redactor.redact(text, GuardrailScanner(classification: rules.classification).scan(text), vault: PlaceholderVault())
    }

    @Test func theFirstMatchingDestinationIsAskedBeforeTheDeploymentRules() throws {
        let rules = try RedactionRules(document: Self.document)
        let anywhere = redact(rules, RedactionDestination())
        #expect(anywhere.text.hasPrefix("mail <EMAIL_ADDRESS:") && anywhere.text.hasSuffix(", card <CREDIT_CARD_1>, key ********************"))
        // The destination's label rule beats the deployment's type rule for e-mail.
        #expect(redact(rules, RedactionDestination(zone: "internal")).text
            == "mail ana@example.org, card 4111 1111 1111 1111, key ********************")
        // Both the zone and the vendor must match.
        #expect(redact(rules, RedactionDestination(zone: "external", vendor: "mistral")).blocked)
        #expect(!redact(rules, RedactionDestination(zone: "external", vendor: "other")).blocked)
        #expect(!redact(rules, RedactionDestination(vendor: "openai")).blocked)
        // A destination's default applies only to what no layer names: here nothing is unnamed.
        #expect(redact(rules, RedactionDestination(vendor: "anthropic")).text.hasSuffix("key <AWS_ACCESS_KEY_ID_1>"))
    }

    @Test func theStrictestOfAFindingsLabelsWins() throws {
        let rules = try RedactionRules(document: ["classification": ["IBAN_CODE": "confidential"], "labels": ["pii": "placeholder", "confidential": "mask"]])
        let result = redact(rules, RedactionDestination(), "iban GB82 WEST 1234 5698 7654 32 and ana@example.org")
        #expect(result.text == "iban **** **** **** **** **54 32 and <EMAIL_ADDRESS_1>")
        #expect(RedactionMode.allCases.sorted() == [.allow, .placeholder, .hash, .mask, .block])
    }

    @Test func labelsAddedPerTypeShowInTheScan() throws {
        let rules = try RedactionRules(document: Self.document)
        let labels = GuardrailScanner(classification: rules.classification).scan("SSN 123-45-6789").labels
        #expect(labels == [.pii, .restricted, .confidential])
        #expect(GuardrailScanner().scan("SSN 123-45-6789").labels == [.pii])
        #expect(GuardrailScanner().scan("MBI 1EG4-TE5-MK73").labels == [.pii, .phi])
    }

    @Test(arguments: [
        (#"{"labels": {"pii": "plac"}}"#, "labels.pii"),
        (#"{"labels": {"personal": "mask"}}"#, "labels"),
        (#"{"types": {"EMAIL": "mask"}}"#, "types.EMAIL"),
        (#"{"classification": {"CREDIT_CARD": "secretive"}}"#, "classification.CREDIT_CARD"),
        (#"{"classification": {"CARD": "pii"}}"#, "classification.CARD"),
        (#"{"default": 3}"#, "default"),
        (#"{"destination": []}"#, ""),
        (#"{"destinations": {"zone": "x"}}"#, "destinations"),
        (#"{"destinations": [{"labels": {"pii": "mask"}}]}"#, "destinations[0]"),
        (#"{"destinations": [{"zone": [], "labels": {"pii": "mask"}}]}"#, "destinations[0].zone"),
        (#"{"destinations": [{"zone": ["a", 3]}]}"#, "destinations[0].zone"),
        (#"{"destinations": [{"zone": "a", "modes": {}}]}"#, "destinations[0]"),
        (#"{"labels": "mask"}"#, "labels"),
        (#"["labels"]"#, ""),
    ])
    func badRulesAreRefusedWithWhere(json: String, path: String) throws {
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8))
        #expect {
            _ = try RedactionRules(document: document)
        } throws: { error in
            (error as? RedactionRulesError)?.path == path
        }
    }

    /// Any document built from the rules' own vocabulary and some noise: it is read, or refused with a
    /// path, never anything else; what is read gives a policy for any destination.
    @Test func anyDocumentIsReadOrRefusedWithWhere() async {
        let words = ["classification", "default", "labels", "types", "destinations", "zone", "vendor", "pii", "secret",
                     "restricted", "mask", "block", "allow", "hash", "placeholder", "EMAIL_ADDRESS", "CREDIT_CARD", "x", ""]
        func node(_ choices: inout [Int], depth: Int) -> Any {
            let choice = choices.popLast() ?? 0
            switch depth > 3 ? choice % 3 : choice % 6 {
            case 0: return words[(choices.popLast() ?? 0) % words.count]
            case 1: return choices.popLast() ?? 7
            case 2: return NSNull()
            case 3: return (0..<((choices.popLast() ?? 0) % 3)).map { _ in node(&choices, depth: depth + 1) }
            default:
                var mapping: [String: Any] = [:]
                for _ in 0..<((choices.popLast() ?? 0) % 4) {
                    mapping[words[(choices.popLast() ?? 0) % words.count]] = node(&choices, depth: depth + 1)
                }
                return mapping
            }
        }
        await propertyCheck(count: 3000, input: Gen.int(in: 0...1000).array(of: 0...60)) { numbers in
            var choices = numbers
            let document = node(&choices, depth: 0)
            do {
                let rules = try RedactionRules(document: document)
                for destination in [RedactionDestination(), RedactionDestination(zone: "x"), RedactionDestination(zone: "x", vendor: "x")] {
                    _ = redact(rules, destination, "mail ana@example.org, RESTRICTED")
                }
            } catch {
                #expect(error is RedactionRulesError, "\(error)")
            }
        }
    }

    @Test func anEmptyDocumentMasksEverything() throws {
        let rules = try RedactionRules(document: nil)
        #expect(redact(rules, RedactionDestination()).text == "mail ***@*******.***, card **** **** **** 1111, key ********************")
    }

    @Test(arguments: [
        ("CONFIDENTIAL\nThe plan.", "confidential"),
        ("*** STRICTLY CONFIDENTIAL ***\nThe plan.", "restricted"),
        ("The plan.\n[INTERNAL USE ONLY]", "internal"),
        ("Subject: plan\nClassification: Highly Confidential - do not forward", "restricted"),
        ("sensitivity: public", "public"),
        ("Data classification:  Restricted.", "restricted"),
    ])
    func markingsLabelTheText(text: String, label: String) {
        let result = GuardrailScanner().scan(text)
        #expect(result.markings.map(\.type) == [label])
        #expect(result.labels == [DataLabel(rawValue: label)!])
    }

    /// The scanner looks up only lines of upper-case letters and spaces.
    @Test func bannersAreUpperCaseLettersAndSpaces() {
        #expect(ClassificationMarkings.banners.keys.allSatisfy { $0.allSatisfy { ("A"..."Z").contains($0) || $0 == " " } })
    }

    @Test(arguments: [
        "This is confidential between us.", "Confidential", "The public internet.", "classification: none",
        "misclassification: confidential", "Sensitivity: internalised", "PUBLIC SCHOOL",
    ])
    func proseIsNoMarking(text: String) {
        #expect(GuardrailScanner().scan(text).markings.isEmpty)
    }

    @Test func aMarkingCanBlockButIsNeverReplaced() throws {
        let rules = try RedactionRules(document: ["labels": ["restricted": "block", "confidential": "mask"]])
        #expect(redact(rules, RedactionDestination(), "RESTRICTED\nnothing else").blocked)
        let confidential = redact(rules, RedactionDestination(), "CONFIDENTIAL\nnothing else")
        #expect(!confidential.blocked && confidential.text == "CONFIDENTIAL\nnothing else")
    }
}

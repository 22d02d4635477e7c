@testable import CustosGuardrails
import Testing

/// The given-name list: its format, and that the shipped one loads with the classes the detector needs.
@Suite struct GivenNamesTests {
    @Test func listFormat() {
        let names = GivenNames.parse("# a comment\nsarah\n  nikolaj \nSarah\nx-y\nverylongnamexx\n\n[before a surname]\njohn\n")
        #expect(names.classes(of: WordKeys.key("sarah")) == GivenNames.given)
        #expect(names.classes(of: WordKeys.key("nikolaj")) == GivenNames.given)
        #expect(names.classes(of: WordKeys.key("john")) == GivenNames.beforeSurname)
        // Not lower-case ASCII letters, or longer than a key holds: skipped, not a crash.
        #expect(names.table.words.sorted() == ["john", "nikolaj", "sarah"])
        #expect(GivenNames.parse("").table.words.isEmpty)
    }

    @Test func shippedListLoads() {
        let names = GivenNames.shipped
        #expect(names.table.words.count > 4_500)
        for name in ["sarah", "jana", "kira", "charlotte"] { #expect(names.classes(of: WordKeys.key(name)) == GivenNames.given, "\(name)") }
        for name in ["john", "grace", "frank"] { #expect(names.classes(of: WordKeys.key(name)) == GivenNames.beforeSurname, "\(name)") }
        for word in ["will", "may", "june", "jan", "my", "the"] { #expect(names.classes(of: WordKeys.key(word)) == 0, "\(word)") }
    }
}

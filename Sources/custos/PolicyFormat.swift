import ArgumentParser
import Cedar
import Foundation

struct PolicyFormat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "format",
        abstract: "Print policies in canonical Cedar text, or in Cedar's JSON policy format (EST) with --json."
    )

    @Option(name: .long, help: "Cedar policy file; a .json file is read as Cedar's JSON policy format.")
    var policies: String
    @Flag(name: .long, help: "Print Cedar's JSON policy format instead of text.") var json = false
    @Flag(name: .long, help: "Read the policies as Cedar's JSON policy format.") var fromJSON = false

    func run() async throws {
        do {
            let policySet = try PolicyInputs.policySet(policies, json: fromJSON ? true : nil)
            print(json ? policySet.json.encoded() : policySet.cedarText, terminator: json ? "\n" : "")
        } catch let failure as CommandFailure {
            throw failure.report()
        }
    }
}

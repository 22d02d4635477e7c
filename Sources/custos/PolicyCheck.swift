import ArgumentParser
import Cedar
import Foundation

struct PolicyCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse policies and, with a schema, validate them; errors are printed with their locations."
    )

    @Option(name: .long, help: "Cedar policy file.") var policies: String
    @Option(name: .long, help: "Schema (.cedarschema, or .json for the JSON format).") var schema: String?

    func run() async throws {
        do {
            let policySet = try PolicyInputs.policies(policies)
            guard let schema = try PolicyInputs.schema(schema) else {
                print("\(policies): \(policySet.policies.count + policySet.templates.count) policies parsed")
                return
            }
            let report = Validator(schema: schema).validate(policySet)
            for warning in report.warnings { print("warning: \(policies): \(warning)") }
            for error in report.errors { print("error: \(policies): \(error)") }
            if !report.isValid { throw ExitCode.failure }
            print("\(policies): \(policySet.policies.count + policySet.templates.count) policies valid")
        } catch let failure as CommandFailure {
            throw failure.report()
        }
    }
}

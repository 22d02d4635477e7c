import ArgumentParser
import Cedar
import Foundation

struct PolicyEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Authorize one request and print the decision, the determining policies and any errors."
    )

    @Option(name: .long, help: "Cedar policy file.") var policies: String
    @Option(name: .long, help: "Entities JSON file.") var entities: String?
    @Option(name: .long, help: "Schema (.cedarschema or .json); checks the request and reads context by type.")
    var schema: String?
    @Option(name: .long, help: "Principal, e.g. 'User::\"alice\"'.") var principal: String?
    @Option(name: .long, help: "Action, e.g. 'Action::\"view\"'.") var action: String?
    @Option(name: .long, help: "Resource, e.g. 'Photo::\"a.jpg\"'.") var resource: String?
    @Option(name: .long, help: "Context as a JSON object.") var context: String?
    @Option(name: .long, help: "A request as JSON {principal, action, resource, context} (instead of the flags).")
    var request: String?

    func validate() throws {
        if request == nil && (principal == nil || action == nil || resource == nil) {
            throw ValidationError("give --request, or all of --principal, --action and --resource")
        }
    }

    private func uidJSON(_ text: String) throws -> JSONValue {
        guard case .value(.entity(let uid)) = try Expr(parsing: text) else {
            throw CommandFailure("`\(text)` is not an entity uid like Type::\"id\"")
        }
        return uid.json
    }

    func run() async throws {
        do {
            let schema = try PolicyInputs.schema(schema)
            let policySet = try PolicyInputs.policies(policies)
            let store = try PolicyInputs.entities(entities, schema: schema)
            var json: JSONValue
            if let request {
                json = try JSONValue.decode(request)
            } else {
                json = .object([
                    "principal": try uidJSON(principal!), "action": try uidJSON(action!),
                    "resource": try uidJSON(resource!),
                    "context": try context.map { try JSONValue.decode($0) } ?? .object([:]),
                ])
            }
            let parsed = try Request(json: json, schema: schema)
            let response = Authorizer().isAuthorized(parsed, policies: policySet, entities: store)
            print(response.decision.rawValue.uppercased())
            print("reason: \(response.reason.joined(separator: ", "))")
            for error in response.errors { print("error: policy `\(error.policyID)`: \(error.message)") }
        } catch let failure as CommandFailure {
            throw failure.report()
        } catch let error as CedarError {
            throw CommandFailure(error.description).report()
        }
    }
}

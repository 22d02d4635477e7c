public import Cedar
public import CustosCore
import CustosPolicy
import CustosStore
import Foundation
import Logging

/// Reads what the configuration names for policies: the schema (the shipped agent schema unless one is
/// configured), the configured entities and, for an empty store, the first policy set.
public enum PolicySetup {
    public static func schema(_ configuration: ServerConfiguration) throws(CustosError) -> Schema {
        guard let file = configuration.policySchemaFile else {
            do {
                return try AgentSchema.schema()
            } catch {
                throw .internalError("the shipped agent schema does not parse: \(error.description)")
            }
        }
        let text = try read(file, "policy.schema")
        do {
            if file.hasSuffix(".json") { return try Schema(json: try JSONValue.decode(text)) }
            return try Schema(cedarSchema: text)
        } catch {
            throw .invalidRequest("policy.schema \(file): \(error.description)")
        }
    }

    public static func entities(_ configuration: ServerConfiguration, schema: Schema) throws(CustosError) -> [Entity] {
        guard let file = configuration.policyEntitiesFile else { return [] }
        let text = try read(file, "policy.entities")
        do {
            return Array(try Entities(jsonData: Array(text.utf8)).entities.values)
        } catch {
            throw .invalidRequest("policy.entities \(file): \(error.description)")
        }
    }

    /// Loads the registry's `agents` into the decision service, restores the active policy version
    /// and, when the store has never had one, pushes the configured policies as version 1.
    static func start(
        _ configuration: ServerConfiguration, store: PolicyStore, agents: [Agent], service: DecisionService,
        logger: Logger
    ) async throws(CustosError) {
        try service.load(agents: agents)
        try await store.restore()
        if try store.repository.activeVersion() == nil, let file = configuration.initialPoliciesFile {
            let text = try read(file, "policy.policies")
            let version = try await store.push(
                PolicyDraft(policies: text), author: "configuration", message: "initial policies from \(file)")
            logger.info("policy version activated", metadata: ["version": "\(version.version)", "source": "\(file)"])
        }
    }

    private static func read(_ file: String, _ key: String) throws(CustosError) -> String {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw .invalidRequest("\(key): cannot read \(file)")
        }
        return text
    }
}

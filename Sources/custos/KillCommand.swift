import ArgumentParser
import CustosCore
import Foundation

struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Revoke credentials at once: of one agent, instance, token, or every agent of a sponsor or zone.",
        discussion: """
            Every credential of the target issued before now stops verifying on the next call, and the \
            agents concerned are suspended until `custos agent reactivate`. Prints what was revoked and \
            which agents were suspended. `custos kill list` shows the revocations in force.
            """,
        subcommands: [KillTarget.self, KillList.self],
        defaultSubcommand: KillTarget.self
    )
}

struct KillTarget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "target", abstract: "custos kill agent|instance|sponsor|zone|token TARGET [--reason TEXT]")

    @OptionGroup var server: ServerOptions
    @Argument(help: "agent, instance (TARGET is agent-id/instance), sponsor, zone or token (TARGET is the jti).")
    var scope: String
    @Argument(help: "What to revoke.") var target: String
    @Option(name: .long, help: "Why (recorded in the audit log).") var reason: String?

    struct Body: Encodable {
        var scope: String
        var target: String
        var reason: String?
    }

    func validate() throws {
        guard RevocationScope(rawValue: scope) != nil else {
            throw ValidationError("the scope is one of \(RevocationScope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await server.call("POST", "/v1/kill", body: Body(scope: scope, target: target, reason: reason))
    }
}

struct KillList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The revocations in force.")
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.call("GET", "/v1/kill")
    }
}

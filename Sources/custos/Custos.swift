import ArgumentParser

@main
struct Custos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Custos: a Zero Trust control plane for AI agents.",
        subcommands: [
            ServeCommand.self, AgentCommand.self, KillCommand.self, KeysCommand.self, IdentityCommand.self, PolicyCommand.self, PDPCommand.self, AuditCommand.self,
            GuardCommand.self, ToolsCommand.self,
        ]
    )

    /// As ``AsyncParsableCommand/main()``, except that `serve` installs its executor first, here on the
    /// main thread before any task has run elsewhere.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if let serve = command as? ServeCommand { try serve.installExecutor() }
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

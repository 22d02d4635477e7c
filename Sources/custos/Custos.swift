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
}

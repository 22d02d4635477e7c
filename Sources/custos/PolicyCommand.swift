import ArgumentParser

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, evaluate and test Cedar policies; manage the versioned policies of a running server.",
        subcommands: [
            PolicyCheck.self, PolicyEval.self, PolicyTest.self, PolicyFormat.self, PolicyBench.self, PolicyPush.self,
            PolicyPull.self, PolicyHistory.self, PolicyActivate.self, PolicyRollback.self, PolicyDiffCommand.self,
            PolicyDryRun.self, PolicySchemaCommand.self,
        ]
    )
}

import ArgumentParser

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, evaluate and test Cedar policies.",
        subcommands: [PolicyCheck.self, PolicyEval.self, PolicyTest.self, PolicyFormat.self, PolicyBench.self]
    )
}

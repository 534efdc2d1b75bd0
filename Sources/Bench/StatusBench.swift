import ArgumentParser

/// `statusbench`: measures statusd for people sizing a machine. One subcommand per scenario; each run
/// prints a progress line, a human summary, a JSON line and a Markdown table, and writes an SVG chart.
@main
struct StatusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statusbench",
        abstract: "Benchmarks for statusd: the engine, the log, restore, memory, reads and live fan-out.",
        subcommands: [
            EngineScenario.self, WALScenario.self, RestoreScenario.self, MemoryScenario.self, ReadScenario.self,
            CrashScenario.self, ReadVersusNginxScenario.self, FanoutScenario.self, ClusterScenario.self,
            FanoutClientCommand.self, NotifyScenario.self,
        ])
}

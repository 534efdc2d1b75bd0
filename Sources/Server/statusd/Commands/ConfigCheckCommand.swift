import ArgumentParser
import Foundation

struct ConfigCommandGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the settings `serve` would run with.",
        subcommands: [ConfigCheckCommand.self])
}

/// `statusd config check`: reads the configuration file and the `STATUSD_*` environment as `serve` does
/// (`ConfigurationSources`), and reports every problem it finds — the settings' own checks and the files
/// they name (`ServeOptions.problems()`), the secrets, whether the data directory can be used — without
/// opening the data directory or a port. Run it before a restart, so that a typo is found while the old
/// process still serves.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every problem of the configuration file and environment; start nothing.")

    @Option(help: "The configuration file (else STATUSD_CONFIG, else none: the environment alone).")
    var config: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["STATUSD_CONFIG"]
        let problems = Self.problems(configPath: path, environment: environment)
        let source = path.map { "\($0) and the environment" } ?? "the environment"
        guard !problems.isEmpty else {
            print("statusd config check: \(source): no problems")
            return
        }
        FileHandle.standardError.write(
            Data(
                ("statusd config check: \(source): \(problems.count) problem(s)\n"
                    + problems.map { "  - \($0)\n" }.joined()).utf8))
        throw ExitCode(1)
    }

    /// Every problem, one line each; empty when `serve` would start with these settings.
    static func problems(configPath: String?, environment: [String: String]) -> [String] {
        let arguments: [String]
        do {
            arguments = try ConfigurationSources.serveArguments(configPath: configPath, environment: environment)
        } catch {
            return ["\(error)"]
        }
        var problems: [String] = []
        do {
            _ = try ConfigurationSources.secrets(configPath: configPath, environment: environment)
        } catch {
            problems.append("\(error)")
        }
        do {
            _ = try ServeOptions.parse(arguments)
        } catch {
            // A value of the wrong kind, or the settings' own checks (`ServeOptions.problems()`, one a line).
            problems += ServeOptions.message(for: error).split(separator: "\n").map(String.init)
        }
        let dataDir = arguments.lastIndex(of: "--data-dir").flatMap {
            $0 + 1 < arguments.count ? arguments[$0 + 1] : nil
        }
        // Without one, the default (parsed, so that it is the default serve uses).
        return problems + dataDirectoryProblems(dataDir ?? (try? ServeOptions.parse([]))?.dataDir ?? "data")
    }

    /// Whether `serve` could use `path` as its data directory: an existing writable directory, or one it
    /// can make (its nearest existing parent writable). `serve` itself says more when it opens it.
    static func dataDirectoryProblems(_ path: String) -> [String] {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return ["data-dir: \(path) is not a directory"] }
            return files.isWritableFile(atPath: path) ? [] : ["data-dir: \(path) is not writable by this user"]
        }
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !files.fileExists(atPath: parent.path), parent.path != "/" { parent.deleteLastPathComponent() }
        return files.isWritableFile(atPath: parent.path)
            ? [] : ["data-dir: \(path) does not exist and cannot be made (\(parent.path) is not writable)"]
    }
}

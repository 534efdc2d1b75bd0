import Foundation
import Live
import Wire

/// Where `statusd serve` takes its settings from besides the command line: a configuration file and
/// `STATUSD_<NAME>` environment variables. They become command-line options placed before
/// the real ones, so the order of precedence is file < environment < command line (ArgumentParser keeps
/// the last value of an option), and every value is validated by the same `ServeOptions.validate()`.
///
/// The file (`--config <path>` or `STATUSD_CONFIG`) holds `name = value` lines with the option names
/// (`port = 8080`, `fsync = interval`, `demo = true`; `_` may stand for `-`); `#` starts a comment. Environment variables are
/// the option names in capitals with underscores (`STATUSD_FSYNC_INTERVAL_MS=500`). A name that is not
/// an option is a one-line error naming where it came from, so a typo never silently does nothing.
enum ConfigurationSources {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Variables that are not settings: test switches and the tests' binary path.
    static func isSetting(_ variable: String) -> Bool {
        variable.hasPrefix("STATUSD_") && !variable.hasPrefix("STATUSD_TEST_") && variable != "STATUSD_BINARY"
            && variable != "STATUSD_CONFIG"
    }

    /// `arguments` (without the program name) with the file's and the environment's settings put in
    /// front of those of `serve`; other subcommands are left alone.
    static func expand(_ arguments: [String], environment: [String: String], options: Set<String>, flags: Set<String>)
        throws -> [String]
    {
        let serveIndex: Int
        if arguments.first == "serve" {
            serveIndex = 1
        } else if arguments.first.map({ !$0.hasPrefix("-") }) ?? false {
            return arguments  // another subcommand
        } else {
            serveIndex = 0  // serve is the default subcommand
        }
        var rest = Array(arguments[serveIndex...])
        var configPath = environment["STATUSD_CONFIG"]
        if let index = rest.firstIndex(of: "--config") {
            guard index + 1 < rest.count else { throw Failure(description: "--config needs a file path") }
            configPath = rest[index + 1]
            rest.removeSubrange(index...(index + 1))
        }
        for argument in rest {
            let name = argument.drop(while: { $0 == "-" }).split(separator: "=", maxSplits: 1).first.map(String.init)
            if argument.hasPrefix("--"), let name, secretNames.contains(name) {
                throw Failure(
                    description:
                        "--\(name) is a secret: set '\(name) = ...' in the configuration file or \(variable(name)) in the environment; a command line shows in ps and in shell history"
                )
            }
        }
        var injected: [String] = []
        if let configPath {
            for (name, value, source) in try settings(inFile: configPath) {
                injected += try option(name, value, from: source, options, flags)
            }
            // Kept for `serve`, which reads the file's secrets itself (they never become arguments).
            injected += ["--config", configPath]
        }
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where isSetting(variable) {
            injected += try option(name(of: variable), value, from: variable, options, flags)
        }
        return Array(arguments[..<serveIndex]) + (serveIndex == 0 ? ["serve"] : []) + injected + rest
    }

    private static func option(
        _ name: String, _ value: String, from source: String, _ options: Set<String>,
        _ flags: Set<String>
    ) throws -> [String] {
        if secretNames.contains(name) { return [] }  // read by `secrets(configPath:environment:)`
        if flags.contains(name) {
            switch value.lowercased() {
            case "1", "true", "yes", "on": return ["--\(name)"]
            case "0", "false", "no", "off": return ["--no-\(name)"]
            default: throw Failure(description: "\(source): \(name) takes true or false, got '\(value)'")
            }
        }
        guard options.contains(name) else {
            throw Failure(
                description: "\(source): '\(name)' is not a setting of statusd serve (see statusd serve --help)")
        }
        return ["--\(name)", value]
    }

    /// Settings that hold a secret (a key, a password, a database URL): taken from the configuration
    /// file or the environment only, never from the command line, never logged, not in `--help`.
    static let secretNames: Set<String> = ["session-secret", "postgres-url", "smtp-password"]

    /// `serve`'s options as `serve` would get them from the configuration file at `configPath` (if any)
    /// and the environment, with nothing on the command line: what `config check` and `health` read.
    static func serveArguments(configPath: String?, environment: [String: String]) throws -> [String] {
        let names = ServeOptions.settingNames
        return Array(
            try expand(
                ["serve"] + (configPath.map { ["--config", $0] } ?? []), environment: environment,
                options: names.options, flags: names.flags
            ).dropFirst())
    }

    /// The secrets the configuration file and the environment give (the environment wins), by name.
    static func secrets(configPath: String?, environment: [String: String]) throws -> [String: String] {
        var found: [String: String] = [:]
        if let configPath {
            for (name, value, _) in try settings(inFile: configPath) where secretNames.contains(name) {
                found[name] = value
            }
        }
        // An empty variable is unset: compose files and unit templates pass a missing one as empty.
        for name in secretNames {
            if let value = environment[variable(name)], !value.isEmpty { found[name] = value }
        }
        return found
    }

    /// The `name = value` lines of a configuration file, with where each came from.
    private static func settings(inFile path: String) throws -> [(name: String, value: String, source: String)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Failure(description: "cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        var settings: [(name: String, value: String, source: String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard !content.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let parts = content.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw Failure(description: "\(path):\(number + 1): expected 'name = value'")
            }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            // `postgres_url` and `postgres-url` are one setting: names are written either way.
            settings.append((parts[0].replacingOccurrences(of: "_", with: "-"), value, "\(path):\(number + 1)"))
        }
        return settings
    }

    /// `STATUSD_FSYNC_INTERVAL_MS` -> `fsync-interval-ms`, and back.
    private static func name(of variable: String) -> String {
        variable.dropFirst("STATUSD_".count).lowercased().replacingOccurrences(of: "_", with: "-")
    }

    private static func variable(_ name: String) -> String {
        "STATUSD_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

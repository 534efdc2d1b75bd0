import Foundation

/// Where a result was measured: the CPU, the core count and the code's git revision, so that figures
/// in BENCHMARKS.md can be traced and compared.
struct BenchEnvironment: Codable, Sendable {
    let cpu: String
    let cores: Int
    let gitSHA: String

    static func current() -> BenchEnvironment {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        return BenchEnvironment(
            cpu: model ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount, gitSHA: gitRevision())
    }

    private static func gitRevision() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            ? "unknown" : text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

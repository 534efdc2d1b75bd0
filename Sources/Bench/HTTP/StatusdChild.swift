import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A `statusd serve` the benchmark starts on a free loopback port with its own scratch data directory,
/// and stops (SIGTERM, then waits) when done.
final class StatusdChild {
    let process = Process()
    let port: Int
    let dataDirectory: String

    /// - Parameter dataDirectory: an existing data directory to serve (removed at `stop` like a new one).
    init(binary: String, arguments: [String], environment: [String: String] = [:], dataDirectory: String? = nil)
        throws
    {
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "statusbench-server-\(UUID().uuidString)"
            ).path
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.dataDirectory] + arguments
        // statusd refuses STATUSD_ variables that are not its settings: the benchmark's own stay here.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STATUSD_BENCH_") }
            .merging(environment) { $1 }
        process.standardOutput = output
        // Its log, kept beside the data directory: the reason a start failed is in it.
        let logPath = self.dataDirectory + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        try process.run()
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while !text.contains("statusd listening on ") || !text.contains("\n") {
            let count = buffer.withUnsafeMutableBytes {
                read(output.fileHandleForReading.fileDescriptor, $0.baseAddress, $0.count)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw StartFailure(
                    description: "statusd exited before listening: \(text) \(log.suffix(2_000))")
            }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix("statusd listening on ") } ?? ""
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw StartFailure(description: "no port in '\(line)'")
        }
        self.port = port
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: dataDirectory + ".log")
    }
}

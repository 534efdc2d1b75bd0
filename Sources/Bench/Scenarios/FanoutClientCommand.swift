import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// `statusbench fanout-client` (not for direct use): a share of `statusbench fanout`'s subscribers in a
/// process of its own, because one process may open at most 20,000 files here and the three-node run
/// has 57,000 subscribers. It subscribes, says so on standard output (`subscribed <n> failed <m>`),
/// and on `collect <seconds>` from standard input waits until each subscriber has every update (or the
/// seconds passed) and prints its tallies as one JSON line. Arrival times are `DispatchTime` uptime
/// nanoseconds, the same clock in every process, so the parent compares them with its own.
struct FanoutClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout-client", abstract: "A share of fanout's subscribers (started by fanout).",
        shouldDisplay: false)

    @Option(help: "Comma-separated ports; the subscribers are spread evenly over them.")
    var ports: String

    @Option(help: "Subscribers.")
    var count: Int

    @Option(help: "The WebSocket path.")
    var path: String

    @Option(help: "Messages each connection gets on subscribing, before any update.")
    var greeting: Int

    @Option(help: "Updates the parent will publish.")
    var updates: Int

    /// What the parent reads back.
    struct Result: Codable {
        let lastArrival: [UInt64]
        let delivered: Int
        let bytes: Int
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        var tallies: [ObjectIdentifier: WebSocketFanoutClient.Tally] = [:]
        for loop in group.makeIterator() {
            tallies[ObjectIdentifier(loop)] = WebSocketFanoutClient.Tally(updates: updates)
        }
        let counters = WebSocketFanoutClient.Counters()
        let targets = ports.split(separator: ",").compactMap { Int($0) }
        guard !targets.isEmpty else { throw ValidationError("--ports names no port") }
        var channels: [any Channel] = []
        for (index, port) in targets.enumerated() {
            let share = count / targets.count + (index < count % targets.count ? 1 : 0)
            channels += await WebSocketFanoutClient.connect(
                count: share, port: port, path: path, greeting: greeting, tallies: tallies, counters: counters,
                group: group)
        }
        Self.say("subscribed \(channels.count) failed \(counters.failed.load(ordering: .relaxed))")
        while let line = readLine() {
            let words = line.split(separator: " ")
            guard words.first == "collect", let seconds = words.dropFirst().first.flatMap({ Double($0) }) else {
                continue
            }
            let expected = channels.count * updates
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
            while counters.received.load(ordering: .relaxed) < expected && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let (lastArrival, delivered, bytes) = try await WebSocketFanoutClient.collect(
                tallies, updates: updates, group: group)
            let result = Result(lastArrival: lastArrival, delivered: delivered, bytes: bytes)
            Self.say(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            break
        }
        for channel in channels { channel.close(promise: nil) }
        try await group.shutdownGracefully()
    }

    /// One line to the parent, at once (standard output is a pipe: block-buffered otherwise).
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The parent's side of `fanout-client`: the processes it started, their subscribers and tallies.
final class FanoutClientProcesses {
    private var processes: [(process: Process, input: Pipe, output: FileHandle)] = []
    private(set) var subscribed = 0

    /// Starts `processes` clients sharing `count` subscribers over `ports` and waits until each has
    /// subscribed its share.
    init(
        statusbench: String, processes: Int, count: Int, ports: [Int], path: String, greeting: Int, updates: Int
    ) throws {
        for index in 0..<processes {
            let share = count / processes + (index < count % processes ? 1 : 0)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: statusbench)
            process.arguments = [
                "fanout-client", "--ports", ports.map(String.init).joined(separator: ","), "--count", "\(share)",
                "--path", path, "--greeting", "\(greeting)", "--updates", "\(updates)",
            ]
            let (input, output) = (Pipe(), Pipe())
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            self.processes.append((process, input, output.fileHandleForReading))
        }
        for client in self.processes {
            let line = try Self.line(from: client.output)
            let words = line.split(separator: " ")
            guard words.first == "subscribed", let count = words.dropFirst().first.flatMap({ Int($0) }) else {
                throw ValidationError("a fanout client did not subscribe: \(line)")
            }
            subscribed += count
        }
    }

    /// Each client's tallies, after it waited up to `seconds` for every update.
    func collect(waiting seconds: Double) throws -> [FanoutClientCommand.Result] {
        for client in processes { client.input.fileHandleForWriting.write(Data("collect \(seconds)\n".utf8)) }
        return try processes.map { client in
            let line = try Self.line(from: client.output)
            return try JSONDecoder().decode(FanoutClientCommand.Result.self, from: Data(line.utf8))
        }
    }

    func stop() {
        for client in processes where client.process.isRunning {
            client.process.terminate()
            client.process.waitUntilExit()
        }
    }

    /// The next line the client wrote (blocking: the parent waits on its clients).
    private static func line(from handle: FileHandle) throws -> String {
        var bytes: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1)
            guard let byte = chunk.first else {
                throw ValidationError("a fanout client exited: \(String(decoding: bytes, as: UTF8.self))")
            }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}

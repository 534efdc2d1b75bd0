public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of the tests' own: Debian's PostgreSQL 15 (`scripts/setup.sh --postgres`),
/// `initdb` into a temporary directory, started on a free loopback port with `fsync=on`, password
/// authentication on TCP, and stopped (`stop()`, or at deinit) also when a test fails. `initdb` refuses
/// root, so under root everything runs as the `postgres` user.
public final class TemporaryPostgres: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public static let user = "statusd"
    public let password = "pw-" + UUID().uuidString.prefix(8).lowercased()
    public static let database = "statusd"
    private var server: Process?

    /// The URL statusd is given (as a secret: environment or configuration file).
    public var url: String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(Self.database)?sslmode=disable"
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-pg-\(UUID().uuidString)")
        port = try Self.freePort()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = directory.appendingPathComponent("data").path
        let passwordFile = directory.appendingPathComponent("password").path
        try "\(password)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path]) }
        try asOwner(
            Self.binary("initdb"),
            [
                "-D", data, "-U", Self.user, "--pwfile", passwordFile, "--auth-local", "trust",
                "--auth-host", "scram-sha-256", "-E", "UTF8", "--no-sync",
            ])
        try start()
        try asOwner(Self.binary("createdb"), ["-h", directory.path, "-p", "\(port)", "-U", Self.user, Self.database])
    }

    /// A new server, made and started off Swift's cooperative pool (`initdb` and the start block for
    /// seconds; `OffThePool` says why that matters): what async tests call, so that the others go on meanwhile.
    public static func started() async throws -> TemporaryPostgres {
        try await OffThePool.run { try TemporaryPostgres() }
    }

    /// Runs `psql` with `sql` through the local socket (no password); its output.
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        try asOwner(
            Self.binary("psql"),
            [
                "-h", directory.path, "-p", "\(port)", "-U", Self.user, "-d", Self.database, "-At", "-v",
                "ON_ERROR_STOP=1",
                "-c", sql,
            ])
    }

    /// The database as `pg_dump` writes it (plain SQL), in a file of the server's directory: a backup.
    public func dump() throws -> URL {
        let file = directory.appendingPathComponent("dump-\(UUID().uuidString).sql")
        try asOwner(
            Self.binary("pg_dump"),
            ["-h", directory.path, "-p", "\(port)", "-U", Self.user, "-d", Self.database, "-f", file.path])
        return file
    }

    /// Replaces the database's contents with a dump's, while clients stay connected: a restore.
    public func restore(_ dump: URL) throws {
        try psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        try asOwner(
            Self.binary("psql"),
            [
                "-h", directory.path, "-p", "\(port)", "-U", Self.user, "-d", Self.database, "-q", "-v",
                "ON_ERROR_STOP=1", "-f", dump.path,
            ])
    }

    /// Stops the server at once, as a crash would (SIGQUIT: "immediate"), or cleanly (SIGINT: "fast").
    public func stop(immediate: Bool = false) {
        guard let server, server.isRunning else { return }
        kill(server.processIdentifier, immediate ? SIGQUIT : SIGINT)
        server.waitUntilExit()
        self.server = nil
    }

    /// Starts the server (again) on its port, and waits until it accepts connections. The postmaster is
    /// this process's own child, not a daemon that `pg_ctl` leaves behind: Foundation's `Process` waits
    /// for a child's inherited descriptors to close, which a daemon never does.
    public func start() throws {
        guard server == nil else { return }
        let process = Process()
        let command =
            Self.ownerPrefix + [
                try Self.binary("postgres"), "-D", directory.appendingPathComponent("data").path, "-p", "\(port)",
                "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on",
            ]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let logPath = directory.appendingPathComponent("log").path
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        server = process
        for _ in 0..<600 {
            if (try? Self.run(Self.binary("pg_isready"), ["-h", directory.path, "-p", "\(port)", "-q"])) != nil {
                return
            }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw Failure(description: "PostgreSQL did not start: \(text.suffix(2_000))")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether this machine has PostgreSQL's server programs.
    public static var isInstalled: Bool { (try? binary("initdb")) != nil }

    static func binary(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: >) {
            let path = root.appendingPathComponent(version).appendingPathComponent("bin").appendingPathComponent(name)
                .path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure(description: "PostgreSQL's \(name) is not installed: run scripts/setup.sh --postgres")
    }

    /// Under root, PostgreSQL's programs run as the `postgres` user (`initdb` refuses root): `setpriv`
    /// execs them in place, so the process is the program itself and signals reach it.
    static var ownerPrefix: [String] {
        getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups"] : []
    }

    @discardableResult
    private func asOwner(_ program: String, _ arguments: [String]) throws -> String {
        let prefix = Self.ownerPrefix
        return prefix.isEmpty
            ? try Self.run(program, arguments)
            : try Self.run(prefix[0], Array(prefix.dropFirst()) + [program] + arguments)
    }

    /// Runs `program` to its end; its output (through a file, which no reader has to drain meanwhile).
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("pg-output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(program) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// A loopback port nobody listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

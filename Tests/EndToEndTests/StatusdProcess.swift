import Foundation
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `statusd` process on a free loopback port, for end-to-end tests over real sockets.
/// It is started with `--port 0` and reports the port it bound on its first line; no sleeps.
final class StatusdProcess: @unchecked Sendable {
    let process = Process()
    let baseURL: URL
    /// This test's own data directory, removed when the process object goes.
    let dataDirectory: URL
    private let output = Pipe()

    /// The debug binary `make test` built (`STATUSD_BINARY`), or the package's `.build/debug/statusd`.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["STATUSD_BINARY"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/statusd")
    }

    private let ownsDataDirectory: Bool
    /// Where standard error goes when the test keeps no log: read back when statusd exits before
    /// listening (so the failure says why), removed with the process object.
    private let ownStandardError: URL?

    /// Starts statusd with small WAL segments (1 MiB), so that each test writes little to disk.
    /// - Parameter environment: added to this process's environment (test-only fault switches).
    /// - Parameter log: a file that receives statusd's standard error (its log); discarded when nil.
    init(
        arguments: [String] = ["--demo"], dataDirectory: URL? = nil, environment: [String: String] = [:],
        log: URL? = nil
    ) throws {
        ownsDataDirectory = dataDirectory == nil
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("statusd-e2e-\(UUID().uuidString)")
        process.executableURL = Self.binary
        process.arguments =
            [
                "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.dataDirectory.path,
                "--wal-segment-mib", "1",
            ] + arguments
        // A low password-KDF cost, in tests only: a production hash costs ~32 MiB and tens of ms.
        // On the log on PostgreSQL when the suite runs that way (TestLog): the data directory's database.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["STATUSD_TEST_KDF_LOG2": "10"].merging(try TestLog.environment(forDataDirectory: self.dataDirectory.path))
            { $1 }.merging(environment) { $1 }
        ) { $1 }
        process.standardOutput = output
        // STATUSD_TEST_LOG_DIR keeps every statusd's log there, to read after a failed run.
        let kept = ProcessInfo.processInfo.environment["STATUSD_TEST_LOG_DIR"].map {
            URL(fileURLWithPath: $0).appendingPathComponent("statusd-\(UUID().uuidString).log")
        }
        ownStandardError =
            log ?? kept == nil
            ? FileManager.default.temporaryDirectory.appendingPathComponent("statusd-stderr-\(UUID().uuidString).log")
            : nil
        let standardError = (log ?? kept ?? ownStandardError)!
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: standardError)
        try process.run()
        let lines: [String: URL]
        do {
            lines = try Self.readURLs(
                from: output.fileHandleForReading, process: process, standardError: standardError,
                prefixes: ["statusd listening on "]
                    + (arguments.contains("--admin-port") ? ["statusd operator port on "] : [])
                    + (arguments.contains("--tls-redirect-port") ? ["statusd redirecting to https from "] : []))
        } catch {
            // Not fully made, so deinit will not run: what it would remove goes now.
            Self.remove(ownStandardError, ownsDataDirectory ? self.dataDirectory : nil)
            throw error
        }
        baseURL = lines["statusd listening on "]!
        adminURL = lines["statusd operator port on "]
        redirectURL = lines["statusd redirecting to https from "]
    }

    /// The operator port's address, when started with `--admin-port`.
    let adminURL: URL?
    /// The plain port that redirects to https, when started with `--tls-redirect-port`.
    let redirectURL: URL?

    /// Reads stdout until it has a line `<prefix><url>` for every prefix (the order of the listeners'
    /// lines is not fixed); the URLs by prefix.
    private static func readURLs(
        from handle: FileHandle, process: Process, standardError: URL, prefixes: [String]
    ) throws -> [String: URL] {
        var text = ""
        var found: [String: URL] = [:]
        while found.count < prefixes.count {
            guard let chunk = PipeReader.next(handle) else {
                process.waitUntilExit()
                let errors = (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""
                throw StartError(
                    message: "statusd exited before listening (status \(process.terminationStatus)): \(text)"
                        + " standard error: \(errors.suffix(2_000))")
            }
            text += String(decoding: chunk, as: UTF8.self)
            for line in text.split(separator: "\n") {
                for prefix in prefixes where line.hasPrefix(prefix) {
                    found[prefix] = URL(string: String(line.dropFirst(prefix.count)))
                }
            }
        }
        return found
    }

    /// Starts statusd, or returns nil when it exits before listening (a refusal to start).
    static func start(arguments: [String], dataDirectory: URL) throws -> StatusdProcess? {
        do {
            return try StatusdProcess(arguments: arguments, dataDirectory: dataDirectory)
        } catch is StartError {
            return nil
        }
    }

    struct StartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        Self.remove(ownStandardError, ownsDataDirectory ? dataDirectory : nil)
    }

    /// The standard error file and the data directory a process made for itself.
    private static func remove(_ standardError: URL?, _ dataDirectory: URL?) {
        if let standardError { try? FileManager.default.removeItem(at: standardError) }
        if let dataDirectory {
            try? FileManager.default.removeItem(at: dataDirectory)
            TestLog.release(dataDirectory: dataDirectory.path)
        }
    }

    /// One HTTP request; returns the status, headers and body.
    /// Requests without a cookie store: tests set `Cookie` themselves, and a shared store would send
    /// one test's session cookie (cookies ignore ports) with another's requests.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    func request(_ path: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil)
        async throws -> (status: Int, headers: [String: String], body: Data)
    {
        try await request(baseURL, path, method: method, headers: headers, body: body)
    }

    /// One HTTP request to `base` (the public or the operator port).
    func request(
        _ base: URL, _ path: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil
    ) async throws -> (status: Int, headers: [String: String], body: Data) {
        // Appended as text, not as a path component, so that a query string stays a query string.
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.httpShouldHandleCookies = false
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            fields[String(describing: name).lowercased()] = String(describing: value)
        }
        return (http.statusCode, fields, data)
    }
}

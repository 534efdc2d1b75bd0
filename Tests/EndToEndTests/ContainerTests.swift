import Foundation
import TestSupport
import Testing

/// The container image's definition (docs/deploy/Dockerfile): no container engine runs here, so it is
/// linted with hadolint, its build steps are checked to be the scripts CI runs, and its HEALTHCHECK
/// command, `statusd health`, is run against real servers, plain and https.
@Suite(.sameOnEitherLog) struct ContainerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let dockerfile = root.appendingPathComponent("docs/deploy/Dockerfile").path

    @Test func theDockerfile_passesHadolint_andBuildsWithCIsScripts() async throws {
        let hadolint = URL(fileURLWithPath: WebSocketTests.python).deletingLastPathComponent()
            .appendingPathComponent("hadolint")
        let (status, text) = try await OffThePool.outcome(of: hadolint.path, ["--no-color", Self.dockerfile])
        #expect(status == 0, "hadolint: \(text)")

        let dockerfile = try String(contentsOfFile: Self.dockerfile, encoding: .utf8)
        for step in ["scripts/setup.sh --package", "swift build -c release --product statusd", "scripts/package.sh"] {
            #expect(dockerfile.contains(step), "the image builds with \(step)")
        }
        let scripts = try NSRegularExpression(pattern: #"scripts/[a-z-]+\.sh"#)
        for match in scripts.matches(in: dockerfile, range: NSRange(dockerfile.startIndex..., in: dockerfile)) {
            let path = String(dockerfile[Range(match.range, in: dockerfile)!])
            #expect(
                FileManager.default.isExecutableFile(atPath: Self.root.appendingPathComponent(path).path), "\(path)")
        }
        #expect(dockerfile.contains(#"HEALTHCHECK"#) && dockerfile.contains(#"CMD ["statusd", "health""#))
    }

    @Test func statusdHealth_answersForARunningServer_plainAndHTTPS_andFailsWhenNoneIs() async throws {
        let server = try StatusdProcess(arguments: [])
        let healthy = try await OffThePool.run {
            try CommandLineTests.runCapturing(["health", "--url", server.baseURL.absoluteString + "/health"])
        }
        #expect(healthy.status == 0, "\(healthy.stderr)")
        #expect(healthy.stdout.contains(#""status":"ok""#), "\(healthy.stdout)")
        let port = server.baseURL.port ?? 0
        server.stop()
        let down = try await OffThePool.run {
            try CommandLineTests.runCapturing(["health", "--url", "http://127.0.0.1:\(port)/health"])
        }
        #expect(down.status == 1 && down.stderr.contains("statusd health"), "\(down.stderr)")

        // https, found from the configuration file as the HEALTHCHECK does.
        let directory = try await TLSTests.certificates()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let httpsPort = try TemporaryPostgres.freePort()
        let configuration = directory + "/statusd.conf"
        try """
        host = 0.0.0.0
        port = \(httpsPort)
        tls-certificate = \(directory)/server.pem
        tls-key = \(directory)/server.key
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let tls = try StatusdProcess(arguments: ["--config", configuration, "--port", "\(httpsPort)"])
        defer { tls.stop() }
        let secure = try await OffThePool.run {
            try CommandLineTests.runCapturing(["health", "--config", configuration])
        }
        #expect(secure.status == 0, "\(secure.stderr)")
        let pickAPort = try await OffThePool.run {
            try CommandLineTests.runCapturing(["health"], environment: ["STATUSD_PORT": "0"])
        }
        #expect(pickAPort.status != 0 && pickAPort.stderr.contains("give --url"), "\(pickAPort.stderr)")
    }
}

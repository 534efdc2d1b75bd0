import Foundation
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A webhook receiver on 127.0.0.2 (`Scripts/webhook_sink.py`): records every POST and answers by
/// path: `/ok/...` 200, `/fail/...` 500, `/redirect/...` 302.
final class WebhookSink: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let port: Int

    struct Delivery {
        let path: String
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments = [
            URL(fileURLWithPath: StatuspageTests.script).deletingLastPathComponent()
                .appendingPathComponent("webhook_sink.py").path
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = PipeReader.line(output.fileHandleForReading)
        port = (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int])?["port"] ?? 0
    }

    /// `http://127.0.0.2:<port>/<path>`.
    func url(_ path: String) -> String { "http://127.0.0.2:\(port)/\(path)" }

    /// Everything received so far, in order.
    func received() async throws -> [Delivery] {
        let (data, _) = try await StatusdProcess.session.data(from: URL(string: url("_received"))!)
        let items = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return items.map { item in
            Delivery(
                path: item["path"] as? String ?? "", headers: item["headers"] as? [String: String] ?? [:],
                body: Data(base64Encoded: item["body"] as? String ?? "") ?? Data())
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

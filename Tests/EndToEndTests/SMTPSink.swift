import Foundation
import TestSupport

/// A real SMTP server on 127.0.0.2 (`Scripts/smtp_sink.py`, aiosmtpd): STARTTLS with a certificate
/// from a CA of its own (statusd must verify it), AUTH required; it refuses recipients named
/// `refused...` (550) and defers `deferred...` (451), and spools every accepted mail as JSON.
final class SMTPSink: @unchecked Sendable {
    static let user = "statusd"
    static let password = "sink-password-\(UUID().uuidString.prefix(8))"

    let process = Process()
    let input = Pipe()
    let port: Int
    /// The PEM file of the CA that signed the sink's certificate.
    let ca: String
    let spool = OperatorCommandTests.temporary("smtp-spool")

    struct Mail {
        let envelopeFrom: String
        let recipients: [String]
        let tls: Bool
        let login: String?
        /// Lowercased names; values decoded (RFC 2047 words read).
        let headers: [String: String]
        /// The same as sent.
        let rawHeaders: [String: String]
        let text: String
        let html: String
    }

    init() throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments = [
            URL(fileURLWithPath: StatuspageTests.script).deletingLastPathComponent()
                .appendingPathComponent("smtp_sink.py").path,
            spool, Self.user, Self.password,
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = PipeReader.line(output.fileHandleForReading)
        let started = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
        port = started["port"] as? Int ?? 0
        ca = started["ca"] as? String ?? ""
    }

    /// The statusd settings that send through this sink (the password goes in the environment).
    var arguments: [String] {
        [
            "--smtp-url", "smtp://127.0.0.2:\(port)", "--smtp-from", "status@statusd.example",
            "--smtp-username", Self.user, "--smtp-ca-file", ca,
        ]
    }
    static var environment: [String: String] { ["STATUSD_SMTP_PASSWORD": password] }

    /// Every mail accepted so far, in order.
    func received() -> [Mail] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: spool + "/" + name),
                let item = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return Mail(
                envelopeFrom: item["mail_from"] as? String ?? "", recipients: item["rcpt_tos"] as? [String] ?? [],
                tls: item["tls"] as? Bool ?? false, login: item["login"] as? String,
                headers: item["headers"] as? [String: String] ?? [:],
                rawHeaders: item["raw_headers"] as? [String: String] ?? [:],
                text: item["text"] as? String ?? "", html: item["html"] as? String ?? "")
        }
    }

    /// Mails to `address`, once at least `count` have come.
    func mails(to address: String, atLeast count: Int = 1, _ what: String) async -> [Mail] {
        var found: [Mail] = []
        _ = await eventually(what) {
            found = received().filter { $0.recipients.contains(address) }
            return found.count >= count
        }
        return found
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: spool)
    }
}

extension SMTPSink.Mail {
    /// The first link in the text part whose path ends with `/<purpose>?token=...`.
    func link(_ purpose: String) -> String? {
        text.split(whereSeparator: \.isWhitespace).map(String.init).first {
            $0.hasPrefix("http") && $0.contains("/\(purpose)?token=")
        }
    }
}

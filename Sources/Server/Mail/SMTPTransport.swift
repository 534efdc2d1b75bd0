import CCurl
import CPlatform
import Foundation
import NIOPosix
import Synchronization

/// How a mail fared.
package enum MailOutcome: Sendable, Equatable {
    case sent
    /// Worth another try later for this address: the server answered 4xx, or refused the message.
    case failed(String)
    /// The server refused the recipient for good (a 5xx to `RCPT TO`): the address is quarantined.
    case refused(String)
    /// The mail server could not be used at all (not found, not reachable, silent, TLS or login
    /// failed, the sender refused): nobody's address is at fault, and every mail would fare the same
    /// until the operator's server is back. The deliverer pauses mail instead of counting failures
    /// against subscribers.
    case unavailable(String)
}

/// Sends mail. The server's is `SMTPTransport`; tests below the process level record.
package protocol MailTransport: Sendable {
    func send(_ mail: MailMessage) async -> MailOutcome
}

/// Where and how mail leaves (`--smtp-*`, docs/SUBSCRIBERS.md "Email").
package struct SMTPSettings: Sendable {
    /// `smtp://host:port` (STARTTLS, required unless `requireTLS` is off) or `smtps://host:port`.
    package var url: String
    package var username: String?
    /// A secret: from the configuration file or the environment only.
    package var password: String?
    /// PEM file of the certificate authorities to trust instead of the system's (a private CA).
    package var caFile: String?
    /// `smtp://` without STARTTLS, for a relay on the same host; off only when asked for.
    package var requireTLS = true
    /// Connections kept open to the server; mails in flight at once.
    package var connections = 4
    /// Mails a second at most (the relay's own limit, so it does not start deferring); nil: no limit.
    package var perSecond: Double?
    /// Connecting (and the greeting) may take this long; a whole mail this long.
    package var connectTimeout: Duration = .seconds(10)
    package var timeout: Duration = .seconds(60)

    package init(url: String) { self.url = url }
}

/// Mail through an SMTP server, by libcurl.
///
/// Why libcurl and not a client of our own on NIO: SMTP looks simple, but a correct client is multi-line
/// replies, pipelining rules, dot-stuffing, STARTTLS and its downgrade attacks, SASL mechanisms and a
/// long tail of server quirks; libcurl has done all of it for two decades, is in every distribution
/// (FoundationNetworking already links it), and no Swift package here does SMTP. Its easy interface
/// blocks, so each connection is one easy handle on a thread of its own (a pool as wide as the
/// connection count); a handle keeps its connection open between mails, so a burst pays the TLS
/// handshake and the login once per connection, not once per mail.
package final class SMTPTransport: MailTransport, Sendable {
    private let settings: SMTPSettings
    private let pool: NIOThreadPool
    private let handles: HandlePool
    private let pacer: SendPacer?
    /// When a mail last found the server unusable, and why.
    private let unusable = Mutex<(at: ContinuousClock.Instant, reason: String)?>(nil)

    package init(settings: SMTPSettings) throws {
        guard settings.url.hasPrefix("smtp://") || settings.url.hasPrefix("smtps://") else {
            throw SMTPSetupError("smtp-url must start with smtp:// or smtps://, not '\(settings.url.prefix(20))'")
        }
        if let caFile = settings.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw SMTPSetupError("smtp-ca-file \(caFile) cannot be read")
        }
        Self.globalInit
        self.settings = settings
        let count = max(1, settings.connections)
        var handles: [CurlHandle] = []
        for _ in 0..<count {
            guard let handle = CurlHandle() else { throw SMTPSetupError("libcurl could not make a handle") }
            handles.append(handle)
        }
        self.handles = HandlePool(handles)
        pacer = settings.perSecond.map { SendPacer(perSecond: $0) }
        pool = NIOThreadPool(numberOfThreads: count)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// libcurl's global set-up is not thread-safe; done once, before the first handle.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    package func send(_ mail: MailMessage) async -> MailOutcome {
        await pacer?.wait()
        let settings = settings
        let handles = handles
        let bytes = mail.rendered(date: Date())
        let queued = ContinuousClock.now
        do {
            return try await pool.runIfActive {
                // A mail that waited for a connection while another found the server unusable does not
                // try it again: a probe costs at most one try per connection, not one per mail queued.
                if let found = self.unusable.withLock({ $0 }), found.at > queued { return .unavailable(found.reason) }
                // Below the requests, as every delivery is (Notify's `DeliveryThreads`); idempotent.
                cplatform_lower_thread_priority(10)
                // As many handles as threads: one is always free here.
                guard let handle = handles.take() else { return .failed("no SMTP connection free") }
                defer { handles.give(handle) }
                let outcome = handle.send(bytes, from: mail.from, to: mail.to, settings: settings)
                if case .unavailable(let reason) = outcome {
                    self.unusable.withLock { $0 = (ContinuousClock.now, reason) }
                }
                return outcome
            }
        } catch {
            return .failed("statusd is stopping")
        }
    }
}

package struct SMTPSetupError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

/// Spaces sends to at most `perSecond`: each caller takes the next free slot and waits for it.
actor SendPacer {
    private let interval: Duration
    private var next = ContinuousClock.now

    init(perSecond: Double) { interval = .nanoseconds(Int64(1e9 / max(perSecond, 0.001))) }

    func wait() async {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}

/// The handles not in use.
private final class HandlePool: Sendable {
    private let free: Mutex<[CurlHandle]>

    init(_ handles: [CurlHandle]) { free = Mutex(handles) }

    func take() -> CurlHandle? { free.withLock { $0.popLast() } }
    func give(_ handle: CurlHandle) { free.withLock { $0.append(handle) } }
}

/// One libcurl easy handle: one SMTP connection.
// @unchecked: a handle is used by one thread at a time (taken from and given back to `HandlePool`).
private final class CurlHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    func send(_ bytes: [UInt8], from: String, to: String, settings: SMTPSettings) -> MailOutcome {
        let upload = Upload(bytes)
        var recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let context = Unmanaged.passUnretained(upload).toOpaque()
        let code: CURLcode = withExtendedLifetime(upload) {
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                errors[0] = 0
                var failed = CURLE_OK
                func set(_ result: CURLcode) { if failed == CURLE_OK { failed = result } }
                set(statusd_curl_set_string(handle, CURLOPT_URL, settings.url))
                set(statusd_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
                set(statusd_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
                set(
                    statusd_curl_set_long(
                        handle, CURLOPT_USE_SSL,
                        Int(settings.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue)))
                set(statusd_curl_set_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)))
                set(statusd_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.milliseconds))
                set(statusd_curl_set_long(handle, CURLOPT_TIMEOUT_MS, settings.timeout.milliseconds))
                if let caFile = settings.caFile { set(statusd_curl_set_string(handle, CURLOPT_CAINFO, caFile)) }
                if let username = settings.username { set(statusd_curl_set_string(handle, CURLOPT_USERNAME, username)) }
                if let password = settings.password { set(statusd_curl_set_string(handle, CURLOPT_PASSWORD, password)) }
                set(statusd_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(from)>"))
                set(statusd_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients))
                set(statusd_curl_set_long(handle, CURLOPT_UPLOAD, 1))
                set(statusd_curl_set_read_function(handle, readUpload))
                set(statusd_curl_set_pointer(handle, CURLOPT_READDATA, context))
                set(statusd_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress))
                guard failed == CURLE_OK else { return failed }
                return curl_easy_perform(handle)
            }
        }
        // The list is freed above: the handle must not keep a pointer to it.
        _ = statusd_curl_set_list(handle, CURLOPT_MAIL_RCPT, nil)
        recipients = nil
        guard code != CURLE_OK else { return .sent }
        var reply = 0
        _ = statusd_curl_response_code(handle, &reply)
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let reason =
            (detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
            + (reply > 0 ? " (SMTP \(reply))" : "")
        // Only an answer to RCPT TO is about the address: for good (5xx) or for now (4xx). Anything
        // else that fails before the message is taken is the server's, or the way to it.
        if detail.hasPrefix("RCPT failed") { return (500..<600).contains(reply) ? .refused(reason) : .failed(reason) }
        if Self.serverUnavailable.contains(code) || detail.hasPrefix("MAIL failed") { return .unavailable(reason) }
        return .failed(reason)
    }

    /// Failures of the server or of the way to it, never of one recipient.
    private static let serverUnavailable: Set<CURLcode> = [
        CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_SSL_CONNECT_ERROR,
        CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED, CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR,
        CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CACERT_BADFILE,
    ]
}

/// The message being read by libcurl, and how far.
private final class Upload {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// libcurl's read callback: copies the next part of the message into its buffer.
private func readUpload(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let context else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
    let length = min(size * count, upload.bytes.count - upload.offset)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}

extension Duration {
    fileprivate var milliseconds: Int {
        Int(components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000)
    }
}

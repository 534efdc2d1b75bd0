import Foundation
package import NIOSSL
import Synchronization

/// The certificate statusd serves https with: a PEM chain and its key, read at start and read again
/// when the operator asks (SIGHUP). A connection takes the certificate that is current when it
/// arrives, so a reload never touches open connections; a reload that finds anything wrong keeps the
/// certificate being served and says why.
package final class ServedCertificate: Sendable {
    package let certificatePath: String
    package let keyPath: String
    private let current: Mutex<Loaded>

    /// A context ready for handshakes, and what to log about the certificate it serves.
    private struct Loaded {
        let context: NIOSSLContext
        let summary: String
    }

    /// Reads both files. - Throws: `Failure` naming the file and what is wrong with it.
    package init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Mutex(try Self.load(certificatePath: certificatePath, keyPath: keyPath, now: time(nil)))
    }

    /// The context new connections use.
    package var context: NIOSSLContext { current.withLock { $0.context } }

    /// The served certificate: its subject, serial and end of validity.
    package var summary: String { current.withLock { $0.summary } }

    /// Reads both files again and serves them from the next connection on.
    /// - Returns: the new certificate's summary.
    /// - Throws: `Failure` (and keeps serving the certificate it had) when a file cannot be read or
    ///   parsed, the key does not belong to the certificate, or the certificate has expired.
    @discardableResult
    package func reload() throws -> String {
        let loaded = try Self.load(certificatePath: certificatePath, keyPath: keyPath, now: time(nil))
        current.withLock { $0 = loaded }
        return loaded.summary
    }

    /// What is wrong with a certificate or key file.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    private static func load(certificatePath: String, keyPath: String, now: time_t) throws -> Loaded {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw Failure(
                description: "tls-certificate: \(certificatePath) is not a readable PEM certificate (\(error))")
        }
        guard let leaf = chain.first else {
            throw Failure(description: "tls-certificate: \(certificatePath) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw Failure(description: "tls-key: \(keyPath) is not a readable PEM private key (\(error))")
        }
        guard leaf.notValidAfter > now else {
            throw Failure(
                description: "tls-certificate: \(certificatePath) expired on \(Self.day(leaf.notValidAfter))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // HTTP/1.1 only: statusd's request deadlines, its fast path and its live feeds are written for
        // HTTP/1.1 connections (docs/DEPLOY.md says why there is no HTTP/2).
        configuration.applicationProtocols = ["http/1.1"]
        let context: NIOSSLContext
        do {
            // BoringSSL refuses a key that does not belong to the certificate here.
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw Failure(
                description: "tls-key: \(keyPath) does not go with the certificate in \(certificatePath) (\(error))")
        }
        let serial = leaf.serialNumber.map { String(format: "%02x", $0) }.joined(separator: ":")
        let summary =
            "the certificate with serial \(serial), valid until \(Self.day(leaf.notValidAfter))"
            + (chain.count > 1 ? ", with \(chain.count - 1) more in its chain" : "")
        return Loaded(context: context, summary: summary)
    }

    private static func day(_ time: time_t) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(time)))
    }
}

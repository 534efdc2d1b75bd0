package import Logging
import ServiceLifecycle
package import UnixSignals

/// SIGHUP reads the TLS certificate and key again (what `systemctl reload statusd` and certbot's
/// deploy hook send). Open connections keep the certificate they began with; a certificate that
/// cannot be used is refused, and the one being served stays. Without TLS there is nothing to read
/// again, and SIGHUP is only logged: it never ends the process.
package struct ReloadOnHangup: Service {
    /// Made before the server starts, so that SIGHUP is caught from the moment statusd says it listens.
    let signals: UnixSignalsSequence
    let certificate: ServedCertificate?
    let logger: Logger

    package init(signals: UnixSignalsSequence, certificate: ServedCertificate?, logger: Logger) {
        self.signals = signals
        self.certificate = certificate
        self.logger = logger
    }

    package func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let certificate else {
                logger.notice("SIGHUP: nothing to read again (no --tls-certificate)")
                continue
            }
            do {
                let summary = try certificate.reload()
                logger.notice("SIGHUP: serving \(summary) from the next connection on")
            } catch {
                logger.error("SIGHUP: kept the certificate being served: \(error)")
            }
        }
    }
}

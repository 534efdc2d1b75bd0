package import HummingbirdCore
import Live
package import Logging
package import NIOCore
import NIOSSL

/// HTTP over TLS whose certificate can change while the server runs. HummingbirdTLS's `TLSChannel`
/// builds one `NIOSSLContext` when the server starts and keeps it; this one asks `ServedCertificate`
/// for the current context as each connection arrives, which is what a reload on SIGHUP needs.
package struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    package typealias Value = BaseChannel.Value

    let base: BaseChannel
    let certificate: ServedCertificate

    package init(_ base: BaseChannel, certificate: ServedCertificate) {
        self.base = base
        self.certificate = certificate
    }

    package func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(context: certificate.context), name: ConnectionHandlerNames.tls)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    package func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS with `certificate`, read again when it reloads.
    package static func http1(
        configuration: HTTP1Channel.Configuration, certificate: ServedCertificate
    ) -> HTTPServerBuilder {
        .init { responder in
            ReloadableTLSChannel(
                HTTP1Channel(responder: responder, configuration: configuration), certificate: certificate)
        }
    }
}

import HTTPTypes
package import Hummingbird
package import Live
import Logging
import Wire

/// Gives every request an id that follows it through the logs and back to the client
/// (`X-Request-ID`: the caller's own when it sends a sane one, so a proxy's id carries through), and,
/// with `--access-log`, one structured line per request: route template, status, duration, client.
/// Off by default: during an outage a line per public read would cost more than the read itself.
package struct RequestLogMiddleware: RouterMiddleware {
    package typealias Context = StatusdRequestContext

    package let proxies: TrustedProxies
    package let accessLog: Bool

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        var context = context
        context.trustedProxies = proxies
        if let given = request.headers[.xRequestID], RequestIDs.isAcceptable(given) {
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        }
        let id = context.id
        let started = accessLog ? ContinuousClock.now : nil
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        if let started {
            let elapsed = ContinuousClock.now - started
            let milliseconds =
                Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1_000
                + Double(elapsed.components.seconds) * 1_000
            context.logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue),
                    "route": .string(context.endpointPath ?? "unmatched"),
                    "status": .stringConvertible(response.status.code),
                    "ms": .stringConvertible(milliseconds),
                    "client": .string(context.clientAddress(of: request) ?? "unknown"),
                ])
        }
        return response
    }

    package init(proxies: TrustedProxies, accessLog: Bool) {
        self.proxies = proxies
        self.accessLog = accessLog
    }
}

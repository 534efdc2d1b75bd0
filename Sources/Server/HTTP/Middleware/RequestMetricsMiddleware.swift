package import HTTPTypes
package import Hummingbird
import Live
package import Prometheus
import Synchronization
import Wire

/// Requests and their latency by route template, method and status, for `/metrics`.
///
/// Written by hand rather than using Hummingbird's `MetricsMiddleware`: that one makes its counter,
/// timer and meter through swift-metrics on every request, and each is looked up by name and labels in
/// the Prometheus registry under a lock; measured, that cost 9 % of public read throughput
/// (BENCHMARKS.md). Here the handles of a (route, method, status) are made once and kept, so a request
/// costs one dictionary lookup, an atomic increment and a histogram record. Route templates are a
/// bounded set, so the map is too.
package final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        package let route: String
        package let method: HTTPRequest.Method
        package let status: Int
    }

    private struct Handles: Sendable {
        package let requests: Counter
        package let duration: DurationHistogram
    }

    private let registry: PrometheusCollectorRegistry
    private let handles = Mutex<[Key: Handles]>([:])
    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    package init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    package func record(route: String, method: HTTPRequest.Method, status: Int, duration: Duration) {
        let key = Key(route: route, method: method, status: status)
        let found = handles.withLock { $0[key] } ?? make(key)
        found.requests.increment()
        found.duration.record(duration)
    }

    private func make(_ key: Key) -> Handles {
        let labels = [("route", key.route), ("method", key.method.rawValue), ("status", String(key.status))]
        let made = Handles(
            requests: registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "statusd", subsystem: "http", metricName: "requests", unitName: "total",
                    helpText: "HTTP requests by route template, method and status"),
                labels: labels),
            duration: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "statusd", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                    helpText: "HTTP request latency by route template, method and status"),
                labels: labels, buckets: Self.buckets))
        return handles.withLock { handles in
            if let raced = handles[key] { return raced }
            handles[key] = made
            return made
        }
    }
}

/// Times every request and records it in `RequestMetrics`; outermost, so that problem responses count.
package struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    package let metrics: RequestMetrics

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: request.method, status: status,
                duration: .now - start)
            throw error
        }
        metrics.record(
            route: context.endpointPath ?? "unmatched", method: request.method, status: response.status.code,
            duration: .now - start)
        return response
    }

    package init(metrics: RequestMetrics) {
        self.metrics = metrics
    }
}

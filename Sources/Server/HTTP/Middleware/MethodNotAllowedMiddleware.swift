package import HTTPTypes
package import Hummingbird
import Live
import Synchronization
import Wire

/// What the router leaves as "no route": a path it serves under other methods answers 405 with
/// `Allow` (RFC 9110 §15.5.6), not 404.
package struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    package let routes: KnownRoutes

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            var allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            if allowed.contains(.get) { allowed.insert(.head) }  // RequestIntakeHandler answers HEAD as GET
            let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            throw Problem(
                status: .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here; use \(list)",
                headers: [.allow: list])
        }
    }

    package init(routes: KnownRoutes) {
        self.routes = routes
    }
}

/// The router's route templates, filled once every route is added (the middleware is made first).
package final class KnownRoutes: Sendable {
    package init() {}

    private let templates = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    package func load(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        let parsed = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method) }
        templates.withLock { $0 = parsed }
    }

    /// The methods some template matching `path` serves (a `{name}` segment matches any one segment).
    package func methods(for path: String) -> Set<HTTPRequest.Method> {
        let segments = path.split(separator: "/")
        return templates.withLock { templates in
            Set(
                templates.filter { template in
                    template.segments.count == segments.count
                        && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
                }.map(\.method))
        }
    }
}

import HTTPTypes
package import Hummingbird
import Live
import Wire

/// Cross-origin access (`--cors-origins`). Hummingbird's `CORSMiddleware` allows one origin or every
/// origin; statusd needs a list for the credentialed API and `*` for the public reads, which carry no
/// credentials and are meant to be embedded anywhere.
package struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Origins allowed on every route, exactly as browsers send them (`https://status.example.com`);
    /// `*` allows any.
    package let origins: Set<String>

    package static var publicPrefixes: [String] { ["/api/status/", "/api/public/"] }
    package static var allowedHeaders: String {
        "Authorization, Content-Type, X-Organization, X-Request-ID, If-None-Match"
    }
    package static var exposedHeaders: String { "ETag, Last-Modified, Location, Retry-After, X-Request-ID" }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let isPublicRead =
            (request.method == .get || request.method == .head || request.method == .options)
            && Self.publicPrefixes.contains { request.uri.path.hasPrefix($0) }
        let allowed: String? =
            origins.contains(origin) ? origin : origins.contains("*") || isPublicRead ? "*" : nil
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard let allowed else {
                throw Problem(status: .forbidden, detail: "origin \(origin.prefix(100)) may not call this API")
            }
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = allowed
            headers[.accessControlAllowMethods] = isPublicRead ? "GET, HEAD" : "GET, POST, PUT, DELETE"
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let allowed {
            response.headers[.accessControlAllowOrigin] = allowed
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            if allowed != "*" { response.headers.append(HTTPField(name: .vary, value: "Origin")) }
        }
        return response
    }

    package init(origins: Set<String>) {
        self.origins = origins
    }
}

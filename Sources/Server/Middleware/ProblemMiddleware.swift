import Engine
import Hummingbird
import Logging

/// Turns every error a route throws into a problem+json response. Anything it does not know is a bug:
/// answered 500 and logged with the request id (DESIGN invariant 6).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as EngineError {
            return try Problem(error).response(from: request, context: context)
        } catch let error as Problem {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let detail =
                error.body
                ?? (error.status == .notFound ? "no route for \(request.uri.path)" : error.status.reasonPhrase)
            return try Problem(status: error.status, detail: detail).response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error: \(error)", metadata: ["path": "\(request.uri.path)"])
            return try Problem(status: .internalServerError, detail: "internal error").response(
                from: request, context: context)
        }
    }
}

import Engine
package import Hummingbird
import Live
import Logging
import Wire

/// Turns every error a route throws into a problem (problem+json, or a dialect's shape under its
/// prefix). Anything it does not know is a bug: answered 500 and logged with the request id.
package struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    private let dialects: [ProblemDialect]

    package init(dialects: [ProblemDialect] = []) { self.dialects = dialects }

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as EngineError {
            return try answer(Problem(error), request, context)
        } catch let error as Problem {
            return try answer(error, request, context)
        } catch let error as HTTPError {
            let detail =
                error.body
                ?? (error.status == .notFound ? "no route for \(request.uri.path)" : error.status.reasonPhrase)
            return try answer(Problem(status: error.status, detail: detail), request, context)
        } catch {
            context.logger.error("unhandled error: \(error)", metadata: ["path": "\(request.uri.path)"])
            return try answer(Problem(status: .internalServerError, detail: "internal error"), request, context)
        }
    }

    private func answer(_ problem: Problem, _ request: Request, _ context: Context) throws -> Response {
        let path = request.uri.path
        if let dialect = dialects.first(where: { path.hasPrefix($0.pathPrefix) }) { return try dialect.render(problem) }
        return try problem.response(from: request, context: context)
    }
}

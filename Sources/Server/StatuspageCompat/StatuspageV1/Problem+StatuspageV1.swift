import Foundation
package import HTTP
import Hummingbird
import NIOCore
import Wire

extension ProblemDialect {
    /// Statuspage's management API answers every error under `/v1` as `{"error": "..."}`, unknown
    /// paths included. It answers every refused change 422, so a conflict (a taken name, a move its
    /// state machine refuses) is one too.
    package static let statuspageV1 = ProblemDialect(pathPrefix: "/v1/") { problem in
        var headers = problem.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(["error": problem.detail])
        return Response(
            status: problem.status == .conflict ? .unprocessableContent : problem.status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

import Foundation
package import Hummingbird
import NIOCore
package import Wire

/// Reads a request's JSON body into an input type, turning every way a body can be wrong into a
/// problem naming the field (invariant 6, docs/ARCHITECTURE.md): too large (413), not JSON or not UTF-8 (400), a
/// missing field, a wrong type or an unknown value (422).
package enum JSONBody {
    /// The largest body a write route reads; larger bodies are refused before they are parsed.
    package static let bytesMax = 64 * 1024

    package static func decode<Input: Decodable>(_ type: Input.Type, from request: Request) async throws -> Input {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: bytesMax)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, detail: "the body is larger than \(bytesMax) bytes")
        }
        guard buffer.readableBytes > 0 else {
            throw Problem(status: .badRequest, detail: "a JSON object body is required")
        }
        do {
            return try JSONDecoder().decode(Input.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw problem(for: error)
        }
    }

    /// The problem one decoding error makes, with the snake_case path of the field at fault.
    package static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return Problem(status: .unprocessableContent, detail: "\(field) is required", field: field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return Problem(
                status: .unprocessableContent, detail: "\(field) must be \(describe(type))", field: field)
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem(status: .badRequest, detail: "the body is not valid JSON in UTF-8")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return Problem(status: .unprocessableContent, detail: context.debugDescription, field: field)
        @unknown default:
            return Problem(status: .badRequest, detail: "the body cannot be read")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "\($0)" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

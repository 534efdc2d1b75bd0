import Crypto
package import Engine
package import HTTPTypes
import Wire

/// The `Idempotency-Key` request header (draft-ietf-httpapi-idempotency-key-header): a client's name
/// for one write, so that its retry of that write is answered with the first outcome rather than
/// applied again (`OrgActor.submit`). Read on writes only; a safe method has nothing to repeat.
package enum IdempotencyKeyHeader {
    package static let name = HTTPField.Name("Idempotency-Key")!

    /// The key a write carries, fingerprinted with its method, path and caller: the same key sent for
    /// another route or by another credential is refused, not answered with someone else's outcome.
    /// - Throws: 400 for a header sent twice or a key that is not 1 to 255 visible ASCII characters.
    package static func key(of request: HTTPRequest, by principal: Principal) throws -> CommandKey? {
        guard ![.get, .head, .options].contains(request.method) else { return nil }
        let values = request.headerFields[values: name]
        guard let text = values.first else { return nil }
        let fingerprint = SHA256.hash(data: Array("\(request.method.rawValue) \(request.path ?? "") \(principal)".utf8))
            .hexText
        guard values.count == 1, let key = CommandKey(key: text, fingerprint: fingerprint) else {
            throw Problem(
                status: .badRequest,
                detail: "Idempotency-Key must be sent once, as 1 to \(CommandKey.lengthMax) visible ASCII characters",
                field: "Idempotency-Key")
        }
        return key
    }
}

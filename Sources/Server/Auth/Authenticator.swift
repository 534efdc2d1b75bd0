import Engine
import Foundation
import HTTPTypes
import HashTreeCollections
import Hummingbird

/// Resolves the credential of a request to a `Caller` (DESIGN "Auth"; API.md "Which organization a
/// request acts on"): `Authorization: Bearer sk_<key id>_<secret>` for an organization API key.
///
/// Unknown keys, revoked keys and wrong secrets all answer the same 401, so a response never tells
/// which part was wrong. A key is bound to its organization: an `X-Organization` naming another one
/// answers 404, never a switch.
struct Authenticator: Sendable {
    static let organizationHeader = HTTPField.Name("X-Organization")!

    let registry: Registry

    func caller(for request: Request) throws -> Caller {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("credentials required: Authorization: Bearer <API key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let caller = try apiKeyCaller(String(parts[1]).trimmingCharacters(in: .whitespaces))
        if let chosen = request.headers[Self.organizationHeader] {
            let settings = caller.organization.view.state
            guard chosen == settings.settings.slug || chosen == settings.id.rawValue else {
                throw Problem(
                    status: .notFound, detail: "no organization '\(chosen.prefix(64))' for this credential",
                    field: "X-Organization")
            }
        }
        return caller
    }

    /// `sk_<key id>_<secret>`: the key id finds the organization, the secret's SHA-256 is compared in
    /// constant time with the stored one.
    private func apiKeyCaller(_ token: String) throws -> Caller {
        guard token.hasPrefix(APIKeyToken.prefix) else { throw Self.unauthorized("unknown credential") }
        let rest = token.dropFirst(APIKeyToken.prefix.count)
        guard let separator = rest.lastIndex(of: "_"), let keyID = KeyID(rest[..<separator]),
            let organization = registry.organization(key: keyID),
            let key = organization.view.state.keys[keyID],
            constantTimeEqual(APIKeyToken.hash(String(rest[rest.index(after: separator)...])), key.secretHash)
        else { throw Self.unauthorized("invalid API key") }
        return Caller(principal: .apiKey(keyID), organization: organization)
    }

    private static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }
}

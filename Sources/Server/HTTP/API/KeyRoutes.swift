import Auth
package import Engine
import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import Wire

/// `/api/keys`: organization API keys. Admins list, create and revoke them; a key's
/// role is never above its creator's (the engine checks), and its secret is shown once, at creation:
/// only its SHA-256 is kept.
package struct KeyRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/keys", use: list)
        router.post("/api/keys", use: create)
        router.delete("/api/keys/:id", use: revoke)
    }

    package struct KeyInput: Decodable {
        package let name: String
        package let role: Role

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            name = try input.required(String.self, "name")
            role = try input.parsed(
                "role", try input.required(String.self, "role"), choices: choices(Role.self), Role.init(input:))
        }
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readKeys)
        let keys = state.keys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let (items, next) = try ResourceAPI.page(keys, request)
        let usage = api.authenticator.usage
        return try ResourceAPI.json(
            Representation.ListBody(
                items: items.map { APIKeyBody($0, lastUsedAt: usage.lastUse(of: $0.id)) }, nextCursor: next))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .manageKeys)
        let input = try await JSONBody.decode(KeyInput.self, from: request)
        let (secret, hash) = APIKeyToken.makeSecret()
        let (commit, state) = try await api.run(
            .createKey(name: input.name, role: input.role, secretHash: hash), as: caller)
        try ResourceAPI.refuseReplay(of: commit, secret: "an API key")
        let id = try ResourceAPI.created(commit) { if case .keyCreated(let key) = $0 { key.id } else { nil } }
        guard let key = state.keys[id] else { throw ResourceAPI.notFound("API key", id.rawValue) }
        return try ResourceAPI.json(
            APIKeyBody(key, token: APIKeyToken.token(id: id, secret: secret)), status: .created,
            location: "/api/keys/\(id)")
    }

    @Sendable package func revoke(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .manageKeys)
        _ = try await api.run(.revokeKey(try ResourceAPI.pathID(context, "API key", as: KeyID.self)), as: caller)
        return ResourceAPI.noContent()
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}

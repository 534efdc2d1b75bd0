import Engine
import Foundation
import HashTreeCollections
import Hummingbird

/// `/api/keys`: organization API keys (DESIGN "Auth"). Admins list, create and revoke them; a key's
/// role is never above its creator's (the engine checks), and its secret is shown once, at creation:
/// only its SHA-256 is kept.
struct KeyRoutes: Sendable {
    let api: ResourceAPI

    func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/keys", use: list)
        router.post("/api/keys", use: create)
        router.delete("/api/keys/:id", use: revoke)
    }

    struct KeyBody: Encodable {
        let id: KeyID
        let name: String
        let role: Role
        let createdBy: String
        let createdAt: Date
        /// When a request last presented the key (kept to the minute across restarts).
        let lastUsedAt: Date?
        /// `sk_<id>_<secret>`: in the creation response only.
        let token: String?

        init(_ key: APIKey, lastUsedAt: Date? = nil, token: String? = nil) {
            id = key.id
            name = key.name
            role = key.role
            createdBy = Representation.author(key.createdBy)
            createdAt = key.createdAt
            self.lastUsedAt = lastUsedAt
            self.token = token
        }
    }

    struct KeyInput: Decodable {
        let name: String
        let role: Role

        init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            name = try input.required(String.self, "name")
            role = try input.parsed(
                "role", try input.required(String.self, "role"), choices: choices(Role.self), Role.init(input:))
        }
    }

    @Sendable func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, role: .admin)
        let keys = state.keys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let (items, next) = try ResourceAPI.page(keys, request)
        let usage = api.authenticator.usage
        return try ResourceAPI.json(
            Representation.ListBody(
                items: items.map { KeyBody($0, lastUsedAt: usage.lastUse(of: $0.id)) }, nextCursor: next))
    }

    @Sendable func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, role: .admin)
        let input = try await JSONBody.decode(KeyInput.self, from: request)
        let (secret, hash) = APIKeyToken.makeSecret()
        let (commit, state) = try await api.run(
            .createKey(name: input.name, role: input.role, secretHash: hash), as: caller)
        let id = try ResourceAPI.created(commit) { if case .keyCreated(let key) = $0 { key.id } else { nil } }
        guard let key = state.keys[id] else { throw ResourceAPI.notFound("API key", id.rawValue) }
        return try ResourceAPI.json(
            KeyBody(key, token: APIKeyToken.token(id: id, secret: secret)), status: .created,
            location: "/api/keys/\(id)")
    }

    @Sendable func revoke(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, role: .admin)
        _ = try await api.run(.revokeKey(try ResourceAPI.pathID(context, "API key", as: KeyID.self)), as: caller)
        return ResourceAPI.noContent()
    }
}

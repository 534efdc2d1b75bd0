import Engine
import Foundation
import HashTreeCollections
import Hummingbird
import NIOCore
import Persistence

/// The operator's endpoints, on their own port bound to loopback only (`--admin-port`): nothing here
/// asks for a credential, so only someone on the machine may reach it. Not part of the public
/// OpenAPI document (a different listener); README "Operating" lists them.
struct OperatorRoutes: Sendable {
    let registry: Registry
    let snapshotter: Snapshotter
    let dataDirectory: String

    func add(to router: Router<StatusdRequestContext>) {
        router.post("/admin/snapshot", use: snapshot)
        router.get("/admin/organizations", use: organizations)
        router.post("/admin/backup", use: backup)
    }

    /// Takes a snapshot now (after the one running, if any) and answers what it wrote.
    @Sendable func snapshot(request: Request, context: StatusdRequestContext) async throws -> Response {
        try ResourceAPI.json(try await snapshotter.take())
    }

    struct OrganizationEntry: Encodable {
        let id: OrgID
        let slug: String
        let name: String
        let customDomain: String?
        let createdAt: Date
        let services: Int
        let activeIncidents: Int
        let members: Int
        let publicSeq: UInt64
    }

    /// Every organization on this server, by slug, with its size.
    @Sendable func organizations(request: Request, context: StatusdRequestContext) throws -> Response {
        let entries = registry.all.map(\.view.state).filter(\.exists).map { state in
            OrganizationEntry(
                id: state.id, slug: state.settings.slug, name: state.settings.name,
                customDomain: state.settings.customDomain, createdAt: state.createdAt, services: state.services.count,
                activeIncidents: state.incidents.values.filter(\.status.isActive).count, members: state.members.count,
                publicSeq: state.publicSeq.rawValue)
        }.sorted { $0.slug < $1.slug }
        return try ResourceAPI.json(Representation.ListBody(items: entries, nextCursor: nil))
    }

    struct BackupInput: Decodable {
        let target: String

        init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            target = try input.required(String.self, "target")
        }
    }

    struct BackupBody: Encodable {
        let target: String
        let snapshot: String?
        let walSegments: Int
        let archiveFiles: Int
    }

    /// Takes a snapshot, then copies it and the WAL after it into `target` (an absolute path that
    /// does not exist yet), so that the backup restores with little to replay.
    @Sendable func backup(request: Request, context: StatusdRequestContext) async throws -> Response {
        let input = try await JSONBody.decode(BackupInput.self, from: request)
        guard input.target.hasPrefix("/") else {
            throw Problem(status: .unprocessableContent, detail: "target must be an absolute path", field: "target")
        }
        _ = try await snapshotter.take()
        let source = dataDirectory
        let copied: DataBackup.Copied
        do {
            copied = try await onDedicatedThread { try DataBackup.copy(from: source, to: input.target) }
        } catch let failure as DataBackup.Failure {
            throw Problem(status: .unprocessableContent, detail: failure.description, field: "target")
        }
        return try ResourceAPI.json(
            BackupBody(
                target: input.target, snapshot: copied.snapshot, walSegments: copied.walSegments,
                archiveFiles: copied.archiveFiles), status: .created)
    }
}

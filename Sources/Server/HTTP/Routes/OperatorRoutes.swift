package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
package import Lifecycle
import Live
import NIOCore
import Persistence
import Wire

/// The operator's endpoints, on their own port bound to loopback only (`--admin-port`): nothing here
/// asks for a credential, so only someone on the machine may reach it. Not part of the public
/// OpenAPI document (a different listener); README "Operating" lists them.
package struct OperatorRoutes: Sendable {
    package let registry: Registry
    package let snapshotter: Snapshotter
    package let dataDirectory: String
    /// The events are in PostgreSQL: a copy of the data directory is not a backup of them.
    package let clusterMode: Bool

    package func add(to router: Router<StatusdRequestContext>) {
        router.post("/admin/snapshot", use: snapshot)
        router.get("/admin/organizations", use: organizations)
        router.post("/admin/backup", use: backup)
    }

    /// Takes a snapshot now (after the one running, if any) and answers what it wrote.
    @Sendable package func snapshot(request: Request, context: StatusdRequestContext) async throws -> Response {
        try ResourceAPI.json(try await snapshotter.take())
    }

    package struct OrganizationEntry: Encodable {
        package let id: OrgID
        package let slug: String
        package let name: String
        package let customDomain: String?
        package let createdAt: Date
        package let services: Int
        package let activeIncidents: Int
        package let members: Int
        package let publicSeq: UInt64
    }

    /// Every organization on this server, by slug, with its size.
    @Sendable package func organizations(request: Request, context: StatusdRequestContext) throws -> Response {
        let entries = registry.all.map(\.view.state).filter(\.exists).map { state in
            OrganizationEntry(
                id: state.id, slug: state.settings.slug, name: state.settings.name,
                customDomain: state.settings.customDomain, createdAt: state.createdAt, services: state.services.count,
                activeIncidents: state.incidents.values.filter(\.status.isActive).count, members: state.members.count,
                publicSeq: state.publicSeq.rawValue)
        }.sorted { $0.slug < $1.slug }
        return try ResourceAPI.json(Representation.ListBody(items: entries, nextCursor: nil))
    }

    package struct BackupInput: Decodable {
        package let target: String

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            target = try input.required(String.self, "target")
        }
    }

    package struct BackupBody: Encodable {
        package let target: String
        package let snapshot: String?
        package let walSegments: Int
        package let archiveFiles: Int
    }

    /// Takes a snapshot, then copies it and the WAL after it into `target` (an absolute path that
    /// does not exist yet), so that the backup restores with little to replay.
    @Sendable package func backup(request: Request, context: StatusdRequestContext) async throws -> Response {
        let input = try await JSONBody.decode(BackupInput.self, from: request)
        guard !clusterMode else {
            throw Problem(
                status: .conflict,
                detail:
                    "this node's events are in PostgreSQL: back the database up (pg_dump, pg_basebackup) or write a data directory with `statusd cluster export`"
            )
        }
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

    package init(registry: Registry, snapshotter: Snapshotter, dataDirectory: String, clusterMode: Bool = false) {
        self.registry = registry
        self.snapshotter = snapshotter
        self.dataDirectory = dataDirectory
        self.clusterMode = clusterMode
    }
}

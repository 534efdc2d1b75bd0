import Crypto
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
    package let directory: Directory
    package let snapshotter: Snapshotter
    package let dataDirectory: String
    /// The events are in PostgreSQL: a copy of the data directory is not a backup of them.
    package let clusterMode: Bool

    package func add(to router: Router<StatusdRequestContext>) {
        router.post("/admin/snapshot", use: snapshot)
        router.get("/admin/organizations", use: organizations)
        router.post("/admin/backup", use: backup)
        router.get("/admin/digest", use: digest)
    }

    package struct StreamDigest: Encodable {
        package let stream: String
        package let seq: UInt64
        package let sha256: String
    }

    package struct DigestBody: Encodable {
        /// Over every stream's line, in stream order: equal on two nodes that hold the same states.
        package let sha256: String
        package let streams: [StreamDigest]
    }

    /// A hash of each stream's state (the directory's, each organization's) in its snapshot encoding,
    /// which is the same bytes for the same state in any process, and one over them all: nodes of a
    /// cluster that have applied the same events answer the same (docs/CLUSTER.md).
    @Sendable package func digest(request: Request, context: StatusdRequestContext) throws -> Response {
        func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        let directoryState = directory.state
        var streams = [
            StreamDigest(
                stream: "directory", seq: directoryState.seq.rawValue,
                sha256: hex(SHA256.hash(data: SnapshotStore.canonicalBytes(of: directoryState))))
        ]
        for state in registry.all.map(\.view.state).sorted(by: { $0.id < $1.id }) {
            streams.append(
                StreamDigest(
                    stream: state.id.description, seq: state.seq.rawValue,
                    sha256: hex(SHA256.hash(data: SnapshotStore.canonicalBytes(of: state)))))
        }
        let lines = streams.map { "\($0.stream) \($0.seq) \($0.sha256)\n" }.joined()
        return try ResourceAPI.json(DigestBody(sha256: hex(SHA256.hash(data: Data(lines.utf8))), streams: streams))
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

    package init(
        registry: Registry, directory: Directory, snapshotter: Snapshotter, dataDirectory: String,
        clusterMode: Bool = false
    ) {
        self.registry = registry
        self.directory = directory
        self.snapshotter = snapshotter
        self.dataDirectory = dataDirectory
        self.clusterMode = clusterMode
    }
}

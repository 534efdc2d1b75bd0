import Foundation
import Logging
package import PostgresNIO

/// The log's tables and functions (`Resources/schema-v1.sql`, then each upgrade in turn:
/// `Resources/schema-v2.sql`, `Resources/schema-v3.sql`, `Resources/schema-v4.sql`), created or upgraded when older, and refused by name when newer than
/// this statusd.
package enum LogSchema {
    /// The schema version this statusd creates and reads.
    package static let version = 4

    package struct Refusal: Error, CustomStringConvertible {
        package let description: String
    }

    /// What the log is, as `statusd_meta` says.
    package struct Identity: Sendable, Equatable {
        package let version: Int
        /// Replaced when the log is restored or reset: a node that followed another epoch reloads.
        package let epoch: String
    }

    /// The log's identity, creating the schema first when `create` and there is none.
    /// - Throws: `Refusal` for a newer schema, for none when `create` is false, or for a database
    ///   that holds tables of that name but no statusd log.
    package static func prepare(_ client: PostgresClient, create: Bool, logger: Logger) async throws -> Identity {
        let found = try await read(client, logger: logger)
        if let found, found.version >= version { return try check(found) }
        // An older schema is upgraded whether or not `create` asks for one to be made.
        guard create || found != nil else {
            throw Refusal(description: "the database holds no statusd log: run `statusd cluster init` first")
        }
        try await client.withTransaction(logger: logger) { connection in
            // Two nodes starting at once: the second waits here, then finds the schema made.
            try await connection.query("SELECT pg_advisory_xact_lock(7261736174)", logger: logger)
            let exists =
                try await connection.query(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'statusd_meta'", logger: logger
                ).collect().first?.decode(Int.self) ?? 0
            var found = 0
            if exists > 0 {
                found =
                    try await connection.query(
                        "SELECT value::int FROM statusd_meta WHERE key = 'schema_version'", logger: logger
                    ).collect().first?.decode(Int.self) ?? 0
            } else {
                for statement in statements(schemaSQL[0]) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let epoch = UUID().uuidString.lowercased()
                try await connection.query(
                    "INSERT INTO statusd_meta (key, value) VALUES ('schema_version', '1'), ('epoch', \(epoch))",
                    logger: logger)
                found = 1
            }
            guard found >= 1, found < version else { return }
            for upgrade in schemaSQL[found...] {
                for statement in statements(upgrade) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
            }
            try await connection.query(
                "UPDATE statusd_meta SET value = \(String(version)) WHERE key = 'schema_version'", logger: logger)
            logger.notice(
                exists > 0
                    ? "the log's schema is now version \(version) (was \(found))"
                    : "created the log's schema (version \(version))")
        }
        guard let identity = try await read(client, logger: logger) else {
            throw Refusal(description: "the log's schema was created but cannot be read back")
        }
        return try check(identity)
    }

    /// A secret every node of the cluster shares, kept in `statusd_meta` under `name`: 32 random bytes
    /// (hex) made by the first node that asks, in a transaction (`ON CONFLICT DO NOTHING`: two nodes
    /// asking at once both read the one that was made). Used for the session-signing key when the
    /// configuration names none, so that a session made on one node is valid on all.
    package static func sharedSecret(named name: String, _ client: PostgresClient, logger: Logger) async throws
        -> [UInt8]
    {
        let key = "secret:" + name
        let made = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let hex = made.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let value = try await client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "INSERT INTO statusd_meta (key, value) VALUES (\(key), \(hex)) ON CONFLICT (key) DO NOTHING",
                logger: logger)
            return try await connection.query("SELECT value FROM statusd_meta WHERE key = \(key)", logger: logger)
                .collect().first?.decode(String.self)
        }
        guard let value, value.count == 64,
            case let bytes = stride(from: 0, to: 64, by: 2).compactMap({ index -> UInt8? in
                let start = value.index(value.startIndex, offsetBy: index)
                return UInt8(value[start..<value.index(start, offsetBy: 2)], radix: 16)
            }), bytes.count == 32
        else {
            throw Refusal(description: "statusd_meta's \(key) is not 32 bytes in hex")
        }
        return bytes
    }

    private static func check(_ identity: Identity) throws -> Identity {
        guard identity.version <= version else {
            throw Refusal(
                description:
                    "the log's schema is version \(identity.version), newer than this statusd reads (\(version)): upgrade statusd"
            )
        }
        return identity
    }

    /// nil when there is no `statusd_meta` table.
    private static func read(_ client: PostgresClient, logger: Logger) async throws -> Identity? {
        let tables =
            try await client.query(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'statusd_meta'", logger: logger
            ).collect().first?.decode(Int.self) ?? 0
        guard tables > 0 else { return nil }
        var values: [String: String] = [:]
        for try await (key, value) in try await client.query("SELECT key, value FROM statusd_meta", logger: logger)
            .decode((String, String).self)
        {
            values[key] = value
        }
        guard let text = values["schema_version"], let number = Int(text), let epoch = values["epoch"] else {
            throw Refusal(description: "statusd_meta exists but names no schema version and epoch: not a statusd log")
        }
        return Identity(version: number, epoch: epoch)
    }

    /// The statements of a schema file, one by one: the extended query protocol postgres-nio speaks takes
    /// one statement per query. A statement ends at a line ending in `;` outside a `$$` function body.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current: [Substring] = []
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--") && current.isEmpty { continue }
            current.append(line)
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody, line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        return statements
    }

    /// The schema's files, compiled into the binary: index 0 creates version 1, index n upgrades
    /// version n to n + 1.
    static var schemaSQL: [String] {
        [
            PackageResources.schema_v1_sql, PackageResources.schema_v2_sql, PackageResources.schema_v3_sql,
            PackageResources.schema_v4_sql,
        ].map { String(decoding: $0, as: UTF8.self) }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

import Foundation
package import Logging
import PostgresNIO

/// What `statusd cluster status` prints: the log (schema, epoch, head), the leader's lease, and the
/// nodes as each last reported itself (`ClusterPresence`).
package struct ClusterStatus: Sendable {
    package let identity: LogSchema.Identity
    /// The last position handed out.
    package let head: UInt64
    /// The lease holder and the seconds its lease has left; nil when no node holds it.
    package let leader: (node: String, secondsLeft: Double)?
    package let nodes: [ClusterPresence.Seen]

    package static func read(from url: PostgresURL, logger: Logger) async throws -> ClusterStatus {
        try await ClusterTransfer.withClient(url, logger: logger) { client in
            let identity = try await LogSchema.prepare(client, create: false, logger: logger)
            let head =
                try await client.query("SELECT position FROM statusd_log_head", logger: logger).collect().first?
                .decode(Int64.self) ?? 0
            let lease = try await client.query(
                """
                SELECT node, extract(epoch FROM until - now())::double precision FROM statusd_leases \
                WHERE name = 'leader' AND until > now()
                """, logger: logger
            ).collect().first?.decode((String, Double).self)
            return ClusterStatus(
                identity: identity, head: UInt64(max(head, 0)), leader: lease.map { (node: $0.0, secondsLeft: $0.1) },
                nodes: try await ClusterPresence.seen(client, logger: logger))
        }
    }

    /// The status as lines for a terminal: nodes seen in the last minute, and how many more are older.
    package var text: String {
        var lines = [
            "log: schema version \(identity.version), epoch \(identity.epoch), head at position \(head)",
            "leader: " + (leader.map { "\($0.node) (lease for \(Int($0.secondsLeft.rounded())) s more)" } ?? "none"),
        ]
        let recent = nodes.filter { $0.secondsAgo < 60 }
        lines.append("nodes seen in the last minute: \(recent.count)")
        let header = ["node", "address", "version", "position", "behind", "lag s", "leader", "seen s ago"]
        var rows = [header]
        for seen in recent {
            let report = seen.report
            rows.append([
                seen.node, report.address, report.version, "\(report.position)",
                "\(head > report.position ? head - report.position : 0)", String(format: "%.1f", report.lagSeconds),
                report.leader ? "yes" : "no", String(format: "%.0f", seen.secondsAgo),
            ])
            if report.epoch != identity.epoch { rows[rows.count - 1][0] += " (epoch \(report.epoch): restart it)" }
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
        }
        let older = nodes.count - recent.count
        if older > 0 { lines.append("\(older) more not seen for a minute or longer (stopped or cut off)") }
        return lines.joined(separator: "\n")
    }
}

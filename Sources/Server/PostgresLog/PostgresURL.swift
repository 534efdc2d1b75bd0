import Foundation
import NIOCore
import NIOSSL
package import PostgresNIO

/// The `postgres_url` secret (`postgres://user:password@host:port/database?sslmode=...`), read into the
/// parts postgres-nio's configurations take one by one. A secret: it comes from the configuration file
/// or `STATUSD_POSTGRES_URL`, never the command line, and no message repeats its password.
package struct PostgresURL: Sendable {
    package struct Invalid: Error, CustomStringConvertible {
        package let description: String
    }

    enum TLSMode: Sendable { case disable, prefer, require }

    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String?
    let tls: TLSMode

    /// - Throws: `Invalid`, naming the part that is wrong and never the password.
    package init(_ text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw Invalid(
                description: "postgres_url must be a postgres:// URL (postgres://user:password@host:port/database)")
        }
        guard let host = url.host, !host.isEmpty else { throw Invalid(description: "postgres_url names no host") }
        guard let user = url.user, !user.isEmpty else { throw Invalid(description: "postgres_url names no user") }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        switch url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer
        case "require", "verify-full": tls = .require
        case let mode: throw Invalid(description: "postgres_url: sslmode '\(mode)' is not disable, prefer or require")
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = path.isEmpty ? nil : path
    }

    /// The same database as libpq's environment variables, for PostgreSQL's own tools (statusbench
    /// runs pgbench with it): the password stays off their command line.
    package var libpqEnvironment: [String: String] {
        var environment = ["PGHOST": host, "PGPORT": "\(port)", "PGUSER": user]
        if let password { environment["PGPASSWORD"] = password }
        if let database { environment["PGDATABASE"] = database }
        return environment
    }

    /// For the pool that serves reads (recovery, catching up).
    package var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        // The pool serves the follower's reads, recovery and probes, one or two at a time; postgres-nio's
        // default of 20 would let every node of a cluster take 20 of the server's connections.
        configuration.options.maximumConnections = 4
        return configuration
    }

    /// For a connection of its own (the log's writer), which fails fast instead of waiting in a pool.
    package func connectionConfiguration(connectTimeout: TimeAmount) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }
}

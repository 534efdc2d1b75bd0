import Foundation
import Synchronization

/// Which event log the end-to-end suite runs statusd on: the WAL in the data directory (the default),
/// or, with `STATUSD_TEST_LOG=postgres`, the log on PostgreSQL of the server `scripts/with-postgres.sh`
/// started (`STATUSD_TEST_POSTGRES_URL`), each data directory with a database of its own, so that a
/// restart on the same data directory finds its events again. `scripts/test.sh` runs the suite both ways
/// (but for the suites marked `.sameOnEitherLog`).
public enum TestLog {
    public static var onPostgres: Bool { ProcessInfo.processInfo.environment["STATUSD_TEST_LOG"] == "postgres" }

    private static let databases = Mutex<[String: String]>([:])

    /// What to add to a statusd's environment for `dataDirectory`: nothing on the WAL; on PostgreSQL
    /// the secret `STATUSD_POSTGRES_URL` of the data directory's database, created on first use.
    public static func environment(forDataDirectory path: String) throws -> [String: String] {
        guard onPostgres else { return [:] }
        let dataDirectory = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let admin = ProcessInfo.processInfo.environment["STATUSD_TEST_POSTGRES_URL"] else {
            throw TemporaryPostgres.Failure(
                description: "STATUSD_TEST_LOG=postgres needs a server: run the suite under scripts/with-postgres.sh")
        }
        let known = databases.withLock { $0[dataDirectory] }
        let name: String
        if let known {
            name = known
        } else {
            name = "e2e_\(getpid())_" + UUID().uuidString.prefix(8).lowercased()
            try psql(admin, "CREATE DATABASE \(name)")
            databases.withLock { $0[dataDirectory] = name }
        }
        return ["STATUSD_POSTGRES_URL": url(admin, database: name)]
    }

    /// Drops the data directory's database, once its statusd has stopped for good.
    public static func release(dataDirectory path: String) {
        let dataDirectory = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let name = databases.withLock({ $0.removeValue(forKey: dataDirectory) }),
            let admin = ProcessInfo.processInfo.environment["STATUSD_TEST_POSTGRES_URL"]
        else { return }
        _ = try? psql(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one statement through `psql` as the server's superuser.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) throws -> String {
        try TemporaryPostgres.run(TemporaryPostgres.binary("psql"), [url, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// `url` with its database replaced by `database`.
    static func url(_ url: String, database: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + database
        return components.string ?? url
    }
}

import TestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// A suite whose answers do not depend on where the event log is kept: the edge in front of the
    /// engine (parsing, TLS, proxies, headers, the OpenAPI document, the outbound guard, the browser
    /// pages) or the command line. It runs in the pass on the WAL only, so that the pass on PostgreSQL
    /// (`scripts/test.sh --only e2e-postgres`) spends its time on what the log changes: writes and
    /// their acknowledgement, restarts, live frames after commit, deliveries, the cluster suites.
    static var sameOnEitherLog: Self {
        .disabled(if: TestLog.onPostgres, "answers the same on either log; runs in the pass on the WAL")
    }
}

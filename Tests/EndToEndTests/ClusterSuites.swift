import TestSupport
import Testing

/// The cluster-mode suites, one test at a time: each test starts a PostgreSQL server of its own and two
/// to four statusd processes, and several of them at once on two cores starve each other into timeouts
/// that say nothing about statusd. Run in the cluster-mode pass of the suite only
/// (`scripts/test.sh --only e2e-postgres`).
@Suite(
    .serialized, .enabled(if: TestLog.onPostgres, "the cluster-mode pass of the suite (scripts/test.sh e2e-postgres)"))
enum ClusterSuites {}

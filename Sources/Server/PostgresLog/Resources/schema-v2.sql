-- statusd's event log on PostgreSQL: from schema version 1 to 2 (docs/FORMAT.md, "The event log on
-- PostgreSQL"). Run by a node that finds version 1, in the transaction and under the advisory lock
-- that create the schema, so two nodes upgrading at once upgrade once. Version 2 adds what the nodes
-- of a cluster share besides the events.

-- Leases: work that one node of the cluster does at a time (`leader`: the maintenance timers, the
-- archive pass, removing expired sessions), held by `node` until `until` on the database's clock and
-- renewed while the node runs. A node that stops renewing (stopped, paused, cut off) loses it when
-- `until` passes.
CREATE TABLE statusd_leases (
    name text PRIMARY KEY,
    node text NOT NULL,
    until timestamptz NOT NULL
);

-- The history archive: closed incidents and maintenance windows that left memory, as the blocks of a
-- data directory's archive file (docs/FORMAT.md, "History archive"), numbered per organization from 1
-- in the order they were written. The leader writes a block here before the organization's
-- `historyArchived` event; every node copies the blocks it lacks into its own archive before applying
-- that event, so every node serves archived items the same.
CREATE TABLE statusd_archive (
    org text NOT NULL,
    number bigint NOT NULL,
    block bytea NOT NULL,
    PRIMARY KEY (org, number)
);

-- The nodes of the cluster as each last reported itself (every 2 s): where it listens, its version,
-- the epoch it follows, the position of the last event it applied, how far it trails, whether it
-- leads. `statusd cluster status` prints them; a node removes its row when it stops, and rows not
-- renewed for an hour (a node killed) are removed by the leader.
CREATE TABLE statusd_nodes (
    node text PRIMARY KEY,
    address text NOT NULL,
    version text NOT NULL,
    epoch text NOT NULL,
    position bigint NOT NULL,
    lag_seconds double precision NOT NULL,
    leader boolean NOT NULL,
    seen_at timestamptz NOT NULL
);

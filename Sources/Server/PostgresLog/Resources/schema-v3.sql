-- statusd's event log on PostgreSQL: from schema version 2 to 3 (docs/FORMAT.md, "The event log on
-- PostgreSQL"). Run like version 2's upgrade, in the transaction and under the advisory lock that
-- create the schema. Version 3 adds the names organizations claim across nodes and the shared
-- snapshots that let the leader remove old events.

-- Slugs and custom domains, claimed by the node that writes the event taking one before it appends
-- it: each organization is a stream of its own, so nothing else keeps two organizations written on
-- two nodes from taking one name. `org` holds `name` from `claimed_at`; a node gives a name back when
-- the event failed or the organization moved to another name or was deleted, and the leader adds the
-- names organizations hold without a claim (a log from before version 3) and removes, after a few
-- minutes, claims no organization holds (a node killed between claim and event).
CREATE TABLE statusd_names (
    kind text NOT NULL CHECK (kind IN ('slug', 'domain')),
    name text NOT NULL,
    org text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- Snapshots of every stream's state that the leader writes every so often (a snapshot file's bytes,
-- LZ4; docs/FORMAT.md "Snapshot"): a node with no snapshot of its own, or one older than the log
-- keeps events for, starts from the newest. `position` is where replay starts: the snapshot holds
-- every event before it. The two newest are kept.
CREATE TABLE statusd_snapshots (
    position bigint PRIMARY KEY,
    node text NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    snapshot bytea NOT NULL
);

-- The events before this position were removed (the older of the two kept shared snapshots holds
-- them): a node whose own snapshot replays from before it starts from a shared one instead.
INSERT INTO statusd_meta (key, value) VALUES ('pruned_before', '1') ON CONFLICT (key) DO NOTHING;

-- Removes up to p_limit events behind the older of the two newest shared snapshots, never past the
-- position of a node that reported itself in the last ten minutes (it may still read them), and
-- moves `pruned_before` in the same transaction; returns how many positions it passed (0: done).
-- Called by the leader after it stored a shared snapshot, again until it answers 0, so that no
-- one transaction holds many rows.
CREATE FUNCTION statusd_prune(p_limit bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_from bigint;
    v_bound bigint;
    v_to bigint;
BEGIN
    SELECT value::bigint INTO v_from FROM statusd_meta WHERE key = 'pruned_before' FOR UPDATE;
    SELECT min(s.position) INTO v_bound FROM (
        SELECT position FROM statusd_snapshots ORDER BY position DESC LIMIT 2) s
    HAVING count(*) = 2;
    IF v_bound IS NULL THEN
        RETURN 0;
    END IF;
    v_bound := least(v_bound, coalesce(
        (SELECT min(n.position) + 1 FROM statusd_nodes n WHERE n.seen_at > now() - interval '10 minutes'), v_bound));
    v_to := least(v_bound, v_from + p_limit);
    IF v_to <= v_from THEN
        RETURN 0;
    END IF;
    DELETE FROM statusd_events WHERE position >= v_from AND position < v_to;
    UPDATE statusd_meta SET value = v_to::text WHERE key = 'pruned_before';
    RETURN v_to - v_from;
END
$$;

-- When each API key was last used, on any node: each node adds the times of the keys used on it
-- (keeping the later of two) and reads everyone's, once a minute and when it starts and stops, so
-- that every node answers the latest use. Not events: a key's use is not part of its history.
CREATE TABLE statusd_key_usage (
    key text PRIMARY KEY,
    last_used timestamptz NOT NULL
);

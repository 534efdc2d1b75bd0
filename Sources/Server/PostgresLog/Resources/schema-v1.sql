-- statusd's event log on PostgreSQL, schema version 1 (docs/FORMAT.md, "The event log on PostgreSQL").
-- Created by `statusd cluster init`, or by a node that finds none, in one transaction under an
-- advisory lock, so two nodes starting at once create it once.

-- What the log is: its schema version and its epoch (a random id a restore or reset replaces, so
-- that nodes and clients notice a log that is not the one they followed).
CREATE TABLE statusd_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);

-- The one row whose lock hands out positions: an appender holds it from taking its positions until
-- its commit is visible, so a reader of "position > cursor" never skips a row that commits later with
-- a lower position (positions are gap-free and in commit order). A bare sequence would not be.
CREATE TABLE statusd_log_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    position bigint NOT NULL
);
INSERT INTO statusd_log_head (id, position) VALUES (true, 0);

-- What the log starts from when it was imported from a local data directory (`statusd cluster
-- import`): every stream's state at position `position`, as a snapshot file holds it (LZ4; docs/FORMAT.md
-- "Snapshot"). The events are those after it. A node with no snapshot of its own starts from it.
CREATE TABLE statusd_base (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    position bigint NOT NULL,
    snapshot bytea NOT NULL
);

-- Each stream's last seq: 'directory', or an organization's id.
CREATE TABLE statusd_stream_heads (
    stream text PRIMARY KEY,
    seq bigint NOT NULL
);

-- The events: `record` is the WAL's record framing (type, version, payload), so both logs share one
-- codec and one format gate. `command` names the append that wrote the event (a node's own id for
-- it), to find out whether an append whose COMMIT went unanswered landed. A client's Idempotency-Key
-- is an event of the stream itself (docs/FORMAT.md, change tag 61), so that it holds on either log.
CREATE TABLE statusd_events (
    position bigint PRIMARY KEY,
    stream text NOT NULL,
    seq bigint NOT NULL,
    command text NOT NULL,
    node text NOT NULL,
    appended_at timestamptz NOT NULL DEFAULT now(),
    record bytea NOT NULL,
    UNIQUE (stream, seq)
);

-- One batch of appends in one call, in a transaction of the caller's (so that its COMMIT answers
-- whether the batch is durable): append i puts counts[i] records on streams[i] if that stream's seq
-- is still expected[i]. An append whose stream moved comes back as 'conflict', and so does every
-- later append of that stream in the batch (each was decided on top of the one before); an append
-- that already landed (its command on the seqs it expected: the same batch sent again after its
-- COMMIT went unanswered) comes back as 'duplicate' and writes nothing. Others commit together. Each row answers one append: its outcome, the stream's head after it, and
-- the position of its last event (the earlier one's, for a duplicate).
CREATE FUNCTION statusd_append(
    p_node text, p_streams text[], p_expected bigint[], p_counts int[], p_commands text[], p_records bytea[]
) RETURNS TABLE (outcome text, head bigint, last_position bigint)
-- One plan for every batch: planned again per call (a custom plan), the statement below took 2.5 ms
-- for a batch of one append, against 1.4 ms with its generic plan and the same for large batches.
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_position bigint;
BEGIN
    -- Serializes appenders (see statusd_log_head); stream heads need no lock of their own under it.
    SELECT l.position INTO v_position FROM statusd_log_head l WHERE l.id FOR UPDATE;
    -- A command names one append: twice in one batch is a caller's mistake, refused whole rather
    -- than given an outcome (statusd's command ids are random UUIDs).
    IF (SELECT count(*) <> count(DISTINCT c) FROM unnest(p_commands) AS c) THEN
        RAISE EXCEPTION 'statusd_append: a command appears twice in one batch';
    END IF;
    -- Set-based, one statement: the outcomes of the whole batch decided together, then one INSERT of
    -- every appended record, one upsert of the heads and the log's new head, as parts of the same
    -- statement. Append by append (a plpgsql loop of four statements each) cost three times as much
    -- (BENCHMARKS.md, "statusbench cluster").
    RETURN QUERY
    WITH batch AS (
        -- Each append with its first record in p_records, its stream's head before the batch, and
        -- the position of its last event if it landed before: an append lands only on the seq it
        -- expected, so its last event is at expected + count (found by the unique (stream, seq)
        -- index, no index of commands needed).
        SELECT u.i::int AS i, u.stream, u.expected, u.count, u.command,
            (sum(u.count) OVER (ORDER BY u.i) - u.count + 1)::int AS first_record,
            coalesce(h.seq, 0) AS head_before,
            (SELECT e.position FROM statusd_events e
                WHERE e.stream = u.stream AND e.seq = u.expected + u.count AND e.command = u.command) AS duplicate_of
        FROM unnest(p_streams, p_expected, p_counts, p_commands) WITH ORDINALITY AS u(stream, expected, count, command, i)
        LEFT JOIN statusd_stream_heads h ON h.stream = u.stream
    ), earlier AS (
        -- How many records the earlier appends of its stream put first, duplicates not counted.
        SELECT b.*, coalesce(sum(CASE WHEN b.duplicate_of IS NULL THEN b.count ELSE 0 END) OVER (
                PARTITION BY b.stream ORDER BY b.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
        FROM batch b
    ), decided AS (
        -- Appended while every append of its stream up to it expected what the log had; from the
        -- first that did not, refused (each later one was decided on top of it).
        SELECT e.*, CASE
            WHEN e.duplicate_of IS NOT NULL THEN 'duplicate'
            WHEN bool_and(e.duplicate_of IS NOT NULL OR e.expected = e.head_before + e.before)
                OVER (PARTITION BY e.stream ORDER BY e.i) THEN 'appended'
            ELSE 'conflict' END AS result
        FROM earlier e
    ), placed AS (
        -- The stream's head after each append, and the position of its last record.
        SELECT d.*,
            d.head_before + sum(CASE WHEN d.result = 'appended' THEN d.count ELSE 0 END)
                OVER (PARTITION BY d.stream ORDER BY d.i) AS head_after,
            v_position + sum(CASE WHEN d.result = 'appended' THEN d.count ELSE 0 END) OVER (ORDER BY d.i) AS through
        FROM decided d
    ), records AS (
        INSERT INTO statusd_events (position, stream, seq, command, node, record)
        SELECT p.through - p.count + n, p.stream, p.head_after - p.count + n, p.command, p_node,
            p_records[p.first_record + n - 1]
        FROM placed p, generate_series(1, p.count) AS n WHERE p.result = 'appended'
    ), heads AS (
        INSERT INTO statusd_stream_heads (stream, seq)
        SELECT p.stream, max(p.head_after) FROM placed p WHERE p.result = 'appended' GROUP BY p.stream
        ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq
    ), log_head AS (
        UPDATE statusd_log_head SET position = v_position + (
            SELECT coalesce(sum(p.count), 0) FROM placed p WHERE p.result = 'appended') WHERE id
    )
    SELECT p.result, p.head_after,
        CASE WHEN p.result = 'appended' THEN p.through WHEN p.result = 'duplicate' THEN p.duplicate_of END
    FROM placed p ORDER BY p.i;
    -- A doorbell for the nodes that follow the log; the rows are read from the table.
    SELECT l.position INTO v_position FROM statusd_log_head l WHERE l.id;
    PERFORM pg_notify('statusd_log', v_position::text);
END
$$;

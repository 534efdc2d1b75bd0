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
CREATE INDEX statusd_events_command ON statusd_events (stream, command);

-- One batch of appends in one call, in a transaction of the caller's (so that its COMMIT answers
-- whether the batch is durable): append i puts counts[i] records on streams[i] if that stream's seq
-- is still expected[i]. An append whose stream moved comes back as 'conflict', and so does every
-- later append of that stream in the batch (each was decided on top of the one before); an append
-- whose command is already in its stream comes back as 'duplicate' (a retry) and writes nothing.
-- Others commit together. Each row answers one append: its outcome, the stream's head after it, and
-- the position of its last event (the earlier one's, for a duplicate).
CREATE FUNCTION statusd_append(
    p_node text, p_streams text[], p_expected bigint[], p_counts int[], p_commands text[], p_records bytea[]
) RETURNS TABLE (outcome text, head bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_position bigint;
BEGIN
    -- Serializes appenders (see statusd_log_head); stream heads need no lock of their own under it.
    SELECT l.position INTO v_position FROM statusd_log_head l WHERE l.id FOR UPDATE;
    -- A command names one append of its stream: twice in one batch is a caller's mistake, refused
    -- whole rather than given an outcome (statusd's command ids are random UUIDs).
    IF (SELECT count(*) <> count(DISTINCT (u.stream, u.command))
        FROM unnest(p_streams, p_commands) AS u(stream, command)) THEN
        RAISE EXCEPTION 'statusd_append: a command appears twice for one stream in one batch';
    END IF;
    -- Set-based: the batch's outcomes are decided by one statement into a table of this session's own,
    -- then one INSERT of every appended record and one upsert of the heads. A plpgsql loop with a
    -- few statements per append cost twice as much (BENCHMARKS.md, "statusbench cluster").
    IF to_regclass('pg_temp.statusd_batch') IS NULL THEN
        CREATE TEMP TABLE statusd_batch (
            i int, stream text, count int, command text, first_record int, outcome text, head bigint,
            first_seq bigint, last_position bigint
        ) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM statusd_batch;
    -- Per append: its first record in p_records; its stream's head before the batch; the position of
    -- its command's last event if the command is already in the stream (a duplicate); how many records
    -- of its stream's earlier appends land first; whether every append of its stream up to it
    -- expected what the log had (the first that did not is refused, and every later one of that
    -- stream with it, each having been decided on top of the one before).
    INSERT INTO statusd_batch (i, stream, count, command, first_record, outcome, head, first_seq, last_position)
    WITH b AS (
        SELECT u.i::int AS i, u.stream, u.expected, u.count, u.command,
            (sum(u.count) OVER (ORDER BY u.i) - u.count + 1)::int AS first_record,
            coalesce(h.seq, 0) AS h0,
            (SELECT max(e.position) FROM statusd_events e WHERE e.stream = u.stream AND e.command = u.command) AS dup
        FROM unnest(p_streams, p_expected, p_counts, p_commands) WITH ORDINALITY AS u(stream, expected, count, command, i)
        LEFT JOIN statusd_stream_heads h ON h.stream = u.stream
    ), c AS (
        SELECT b.*,
            coalesce(sum(CASE WHEN dup IS NULL THEN count ELSE 0 END) OVER w_before, 0) AS before
        FROM b WINDOW w_before AS (PARTITION BY stream ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ), d AS (
        SELECT c.*, bool_and(dup IS NOT NULL OR expected = h0 + before) OVER (PARTITION BY stream ORDER BY i) AS chain
        FROM c
    ), o AS (
        SELECT d.*, CASE WHEN dup IS NOT NULL THEN 'duplicate' WHEN chain THEN 'appended' ELSE 'conflict' END AS result
        FROM d
    ), p AS (
        SELECT o.*,
            coalesce(sum(CASE WHEN result = 'appended' THEN count ELSE 0 END) OVER (PARTITION BY stream ORDER BY i), 0) AS moved,
            sum(CASE WHEN result = 'appended' THEN count ELSE 0 END) OVER (ORDER BY i) AS through
        FROM o
    )
    SELECT i, stream, count, command, first_record, result, h0 + moved, h0 + moved - count + 1,
        CASE WHEN result = 'appended' THEN v_position + through WHEN result = 'duplicate' THEN dup END
    FROM p;
    INSERT INTO statusd_events (position, stream, seq, command, node, record)
    SELECT t.last_position - t.count + n, t.stream, t.first_seq + n - 1, t.command, p_node, p_records[t.first_record + n - 1]
    FROM statusd_batch t, generate_series(1, t.count) AS n WHERE t.outcome = 'appended';
    INSERT INTO statusd_stream_heads (stream, seq)
    SELECT t.stream, max(t.head) FROM statusd_batch t WHERE t.outcome = 'appended' GROUP BY t.stream
    ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq;
    SELECT coalesce(max(t.last_position), v_position) INTO v_position FROM statusd_batch t WHERE t.outcome = 'appended';
    UPDATE statusd_log_head SET position = v_position WHERE id;
    -- A doorbell for the nodes that follow the log; the rows are read from the table.
    PERFORM pg_notify('statusd_log', v_position::text);
    RETURN QUERY SELECT t.outcome, t.head, t.last_position FROM statusd_batch t ORDER BY t.i;
END
$$;

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

-- One batch of appends in one call (one round trip, autocommit): append i puts counts[i] records on
-- streams[i] if that stream's seq is still expected[i]. An append whose stream moved comes back as
-- 'conflict', and so does every later append of that stream in the batch (each was decided on top of
-- the one before); an append whose command is already in its stream comes back as 'duplicate' (a
-- retry) and writes nothing. Others commit together. Each row answers one append: its outcome, the
-- stream's head after it, and the position of its last event (the earlier one's, for a duplicate).
CREATE FUNCTION statusd_append(
    p_node text, p_streams text[], p_expected bigint[], p_counts int[], p_commands text[], p_records bytea[]
) RETURNS TABLE (outcome text, head bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_position bigint;
    v_head bigint;
    v_next int := 1;
    v_refused text[] := '{}';
BEGIN
    -- Serializes appenders (see statusd_log_head); stream heads need no lock of their own under it.
    SELECT l.position INTO v_position FROM statusd_log_head l WHERE l.id FOR UPDATE;
    FOR i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
        SELECT h.seq INTO v_head FROM statusd_stream_heads h WHERE h.stream = p_streams[i];
        v_head := coalesce(v_head, 0);
        SELECT max(e.position) INTO last_position FROM statusd_events e
        WHERE e.stream = p_streams[i] AND e.command = p_commands[i];
        IF last_position IS NOT NULL THEN
            outcome := 'duplicate'; head := v_head;
        ELSIF p_streams[i] = ANY (v_refused) OR v_head <> p_expected[i] THEN
            v_refused := v_refused || p_streams[i];
            outcome := 'conflict'; head := v_head;
        ELSE
            INSERT INTO statusd_events (position, stream, seq, command, node, record)
            SELECT v_position + n, p_streams[i], v_head + n, p_commands[i], p_node, p_records[v_next + n - 1]
            FROM generate_series(1, p_counts[i]) AS n;
            INSERT INTO statusd_stream_heads (stream, seq) VALUES (p_streams[i], v_head + p_counts[i])
            ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq;
            v_position := v_position + p_counts[i];
            outcome := 'appended'; head := v_head + p_counts[i]; last_position := v_position;
        END IF;
        v_next := v_next + p_counts[i];
        RETURN NEXT;
    END LOOP;
    UPDATE statusd_log_head SET position = v_position WHERE id;
    -- A doorbell for the nodes that follow the log; the rows are read from the table.
    PERFORM pg_notify('statusd_log', v_position::text);
END
$$;

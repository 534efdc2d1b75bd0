public import Engine
public import NIOCore

/// One log record in the WAL's record framing (docs/FORMAT.md "Record"), for logs that store records
/// one by one rather than in WAL batches: the event log on PostgreSQL keeps these bytes in its events
/// table, so both logs share one codec and one format gate (a record of a newer version is refused by
/// name, never skipped).
public enum LogRecordCodec {
    /// The record's bytes.
    public static func encode(_ record: LogRecord) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWALRecord(record)
        return buffer
    }

    /// The record in `bytes`, which must hold exactly one.
    /// - Throws: an error naming what is wrong: a newer version, an unknown type, bytes left over.
    public static func decode(_ bytes: ByteBuffer) throws -> LogRecord {
        var buffer = bytes
        let record = try buffer.readWALRecord()
        guard buffer.readableBytes == 0 else { throw CodecError("\(buffer.readableBytes) bytes after the record") }
        return record
    }
}

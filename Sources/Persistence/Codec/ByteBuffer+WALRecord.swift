import Engine
import NIOCore

/// The record framing of docs/FORMAT.md "Record": `u32 length | u8 type | u8 version | payload`, where
/// `length` counts the payload only.
enum WALRecordType: UInt8 {
    case organizationEvent = 1
    case directoryEvent = 2
}

extension ByteBuffer {
    /// The newest payload version this build writes. The reader accepts every version up to it and
    /// refuses newer ones by name.
    static var walRecordVersionCurrent: UInt8 { 3 }

    /// The version a record is written at: the oldest that can say it, so that a node of an older
    /// build refuses only the records it cannot read. 2 added `commandKeyed` (change tag 61), 3 the
    /// subscriber changes (tags 70-78).
    static func walRecordVersion(of record: LogRecord) -> UInt8 {
        guard case .organization(_, let event) = record else { return 1 }
        switch event.change {
        case .commandKeyed: return 2
        case .subscriberAdded, .subscriberConfirmed, .subscriberComponentsChanged, .subscriberQuarantined,
            .subscriberReactivated, .subscriberRemoved, .subscriptionSettingsChanged, .noticeRequested,
            .noticesCompleted:
            return 3
        default: return 1
        }
    }
    /// Bytes of the record header before the payload.
    static var walRecordHeaderBytes: Int { 6 }

    /// Appends one framed record.
    mutating func writeWALRecord(_ record: LogRecord) {
        let start = writerIndex
        writeWALInteger(UInt32(0))  // length, set below
        switch record {
        case .organization(let id, let event):
            writeWALInteger(WALRecordType.organizationEvent.rawValue)
            writeWALInteger(Self.walRecordVersion(of: record))
            writeWALOrgEvent(id, event)
        case .directory(let event):
            writeWALInteger(WALRecordType.directoryEvent.rawValue)
            writeWALInteger(Self.walRecordVersion(of: record))
            writeWALDirectoryEvent(event)
        }
        let payloadBytes = writerIndex - start - Self.walRecordHeaderBytes
        setInteger(UInt32(payloadBytes), at: start, endianness: .little)
    }

    /// Reads one framed record, moving the reader index past it.
    /// - Throws: `CodecError` for a short buffer, an unknown type, a newer version or a bad payload.
    mutating func readWALRecord() throws -> LogRecord {
        let length = Int(try readWALInteger(as: UInt32.self))
        let typeByte = try readWALInteger(as: UInt8.self)
        let version = try readWALInteger(as: UInt8.self)
        guard var payload = readSlice(length: length) else {
            throw CodecError("record of \(length) bytes runs past its batch")
        }
        guard let type = WALRecordType(rawValue: typeByte) else { throw CodecError("unknown record type \(typeByte)") }
        guard version >= 1, version <= Self.walRecordVersionCurrent else {
            throw CodecError(
                "record version \(version) is newer than this statusd reads (\(Self.walRecordVersionCurrent))")
        }
        let record: LogRecord
        switch type {
        case .organizationEvent:
            let (id, event) = try payload.readWALOrgEvent()
            record = .organization(id, event)
        case .directoryEvent:
            record = .directory(try payload.readWALDirectoryEvent())
        }
        guard payload.readableBytes == 0 else {
            throw CodecError("\(payload.readableBytes) bytes left after the record")
        }
        return record
    }
}

import Engine
import Foundation
import NIOCore

/// The primitives every payload is made of, little-endian throughout (docs/FORMAT.md "Primitives").
/// Written by hand rather than through `Codable` so that the bytes are a documented contract that a
/// renamed Swift property cannot change silently, and so that encoding costs no more than a copy.
extension ByteBuffer {
    mutating func writeWALInteger<T: FixedWidthInteger>(_ value: T) {
        writeInteger(value, endianness: .little)
    }

    mutating func readWALInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws -> T {
        guard let value = readInteger(endianness: .little, as: T.self) else {
            throw CodecError("payload ends inside a \(T.self)")
        }
        return value
    }

    mutating func writeWALBool(_ value: Bool) { writeWALInteger(UInt8(value ? 1 : 0)) }

    mutating func readWALBool() throws -> Bool {
        switch try readWALInteger(as: UInt8.self) {
        case 0: return false
        case 1: return true
        case let other: throw CodecError("boolean byte \(other)")
        }
    }

    /// `u32 length | UTF-8 bytes`.
    mutating func writeWALString(_ value: String) {
        let lengthIndex = writerIndex
        writeWALInteger(UInt32(0))
        let written = writeString(value)
        setInteger(UInt32(written), at: lengthIndex, endianness: .little)
    }

    mutating func readWALString() throws -> String {
        let length = Int(try readWALInteger(as: UInt32.self))
        guard let bytes = readBytes(length: length) else {
            throw CodecError("string of \(length) bytes runs past the payload")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw CodecError("string is not UTF-8") }
        return text
    }

    /// `u32 length | bytes`.
    mutating func writeWALBytes(_ value: [UInt8]) {
        writeWALInteger(UInt32(value.count))
        writeBytes(value)
    }

    mutating func readWALBytes() throws -> [UInt8] {
        let length = Int(try readWALInteger(as: UInt32.self))
        guard let bytes = readBytes(length: length) else { throw CodecError("\(length) bytes run past the payload") }
        return bytes
    }

    /// A date as the IEEE-754 bits of its seconds since 2001-01-01: exact, so that a replayed state
    /// equals the state that was live before the crash.
    mutating func writeWALDate(_ value: Date) {
        writeWALInteger(value.timeIntervalSinceReferenceDate.bitPattern)
    }

    /// - Throws: `CodecError` for a time outside Foundation's calendar range (years 1 to 4001), NaN and
    ///   infinities included: no statusd writes one, a NaN would not equal itself after a round trip, and
    ///   `Date.description` traps on some of them (found by the `wal-records` fuzz target).
    mutating func readWALDate() throws -> Date {
        let seconds = Double(bitPattern: try readWALInteger(as: UInt64.self))
        guard seconds >= Date.distantPast.timeIntervalSinceReferenceDate,
            seconds <= Date.distantFuture.timeIntervalSinceReferenceDate
        else { throw CodecError("time \(seconds.bitPattern) is not a date statusd writes") }
        return Date(timeIntervalSinceReferenceDate: seconds)
    }

    mutating func writeWALInt(_ value: Int) { writeWALInteger(Int64(value)) }

    mutating func readWALInt() throws -> Int { Int(try readWALInteger(as: Int64.self)) }

    /// An identifier as its 100 bits: `u64` low, then `u64` high (36 bits used).
    mutating func writeWALID<Kind>(_ id: Identifier<Kind>) {
        writeWALInteger(id.low)
        writeWALInteger(id.high)
    }

    mutating func readWALID<Kind>(_ kind: Identifier<Kind>.Type = Identifier<Kind>.self) throws -> Identifier<Kind> {
        let low = try readWALInteger(as: UInt64.self)
        let high = try readWALInteger(as: UInt64.self)
        guard let id = Identifier<Kind>(high: high, low: low) else {
            throw CodecError("a \(Kind.prefix)_ id with more than 100 bits")
        }
        return id
    }

    /// `u8 0` for none, `u8 1` then the value.
    mutating func writeWALOptional<T>(_ value: T?, _ write: (inout ByteBuffer, T) -> Void) {
        guard let value else {
            writeWALInteger(UInt8(0))
            return
        }
        writeWALInteger(UInt8(1))
        write(&self, value)
    }

    mutating func readWALOptional<T>(_ read: (inout ByteBuffer) throws -> T) throws -> T? {
        try readWALBool() ? read(&self) : nil
    }

    /// `u32 count | elements`.
    mutating func writeWALArray<T>(_ values: [T], _ write: (inout ByteBuffer, T) -> Void) {
        writeWALInteger(UInt32(values.count))
        for value in values { write(&self, value) }
    }

    /// A map's entries: in key order when `canonical` (Swift seeds its hashing per process, so a map's
    /// own order differs from one process to the next, and the cluster's state digest needs the same
    /// bytes for the same state), else in the map's own order (snapshots, which need no sorting).
    mutating func writeWALEntries<Key: Comparable, Value>(
        _ map: some Sequence<(key: Key, value: Value)>, canonical: Bool,
        _ write: (inout ByteBuffer, (key: Key, value: Value)) -> Void
    ) {
        writeWALArray(canonical ? map.sorted { $0.key < $1.key } : Array(map), write)
    }

    /// As `writeWALEntries`, for keys with no order of their own: by each entry's encoded bytes.
    mutating func writeWALEntriesByBytes<Entry>(
        _ entries: some Sequence<Entry>, canonical: Bool, _ write: (inout ByteBuffer, Entry) -> Void
    ) {
        guard canonical else { return writeWALArray(Array(entries), write) }
        let encoded = entries.map { entry -> [UInt8] in
            var buffer = ByteBuffer()
            write(&buffer, entry)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        }.sorted { $0.lexicographicallyPrecedes($1) }
        writeWALInteger(UInt32(encoded.count))
        for bytes in encoded { writeBytes(bytes) }
    }

    mutating func readWALArray<T>(_ read: (inout ByteBuffer) throws -> T) throws -> [T] {
        let count = Int(try readWALInteger(as: UInt32.self))
        guard count <= readableBytes else { throw CodecError("array of \(count) elements in \(readableBytes) bytes") }
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    /// A closed enumeration as its one-byte code (docs/FORMAT.md "Codes"): the tables below, which
    /// only ever grow at the end.
    mutating func writeWALEnum<T: WALCoded>(_ value: T) {
        writeWALInteger(UInt8(T.walCodes.firstIndex(of: value)!))
    }

    mutating func readWALEnum<T: WALCoded>(_ type: T.Type = T.self) throws -> T {
        let code = Int(try readWALInteger(as: UInt8.self))
        guard code < T.walCodes.count else { throw CodecError("unknown \(T.self) code \(code)") }
        return T.walCodes[code]
    }
}

/// An enumeration stored as a one-byte code: its index in `walCodes`. The order is the contract; new
/// cases go at the end, and the tables are in docs/FORMAT.md.
protocol WALCoded: Equatable {
    static var walCodes: [Self] { get }
}

extension ServiceStatus: WALCoded {
    static let walCodes: [ServiceStatus] = [
        .operational, .degradedPerformance, .partialOutage, .majorOutage, .underMaintenance,
    ]
}

extension IncidentStatus: WALCoded {
    static let walCodes: [IncidentStatus] = [.investigating, .identified, .monitoring, .resolved, .postmortem]
}

extension PageStatus.Indicator: WALCoded {
    static let walCodes: [PageStatus.Indicator] = [.none, .minor, .major, .critical, .maintenance]
}

extension IncidentImpact: WALCoded {
    static let walCodes: [IncidentImpact] = [.none, .minor, .major, .critical]
}

extension MaintenanceStatus: WALCoded {
    static let walCodes: [MaintenanceStatus] = [.scheduled, .inProgress, .verifying, .completed, .cancelled]
}

extension Role: WALCoded {
    static let walCodes: [Role] = [.owner, .admin, .editor, .viewer]
}

extension SubscriberChannel: WALCoded {
    static let walCodes: [SubscriberChannel] = [.email, .sms, .webhook, .slack, .teams, .discord]
}

extension SubscriberState: WALCoded {
    static let walCodes: [SubscriberState] = [.unconfirmed, .active, .quarantined]
}

extension SubscriptionMail: WALCoded {
    static let walCodes: [SubscriptionMail] = [.confirm, .manage, .quarantined]
}

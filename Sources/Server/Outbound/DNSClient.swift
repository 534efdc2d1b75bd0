package import Foundation
package import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Asks one DNS server for the records of a name, over UDP (RFC 1035): TXT records for a domain check,
/// A and AAAA records for the outbound guard. Written by hand because neither SwiftNIO nor the packages
/// we use have a DNS client (NIO resolves addresses only, through getaddrinfo), and statusd must be able
/// to ask a server of the operator's choice (`--dns-server`), and a local one in tests.
package struct DNSClient: Sendable {
    /// The server to ask.
    package let server: SocketAddress
    package var timeout: TimeInterval = 3
    package var attempts = 2

    /// The record types statusd asks for.
    package enum RecordType: UInt16, Sendable {
        case a = 1
        case txt = 16
        case aaaa = 28
    }

    /// One record of an answer, of the types statusd reads; others (a CNAME on the way) are skipped.
    package enum Record: Hashable, Sendable {
        case address(IPAddress)
        case text(String)
    }

    package enum Failure: Error, CustomStringConvertible {
        case noAnswer(String)
        case malformed(String)
        case refused(rcode: Int)

        package var description: String {
            switch self {
            case .noAnswer(let why): "no answer from the DNS server (\(why))"
            case .malformed(let why): "the DNS answer is malformed (\(why))"
            case .refused(let rcode): "the DNS server answered with error code \(rcode)"
            }
        }
    }

    /// The TXT records of `name`, each its strings joined; empty when the name has none or does not
    /// exist (NXDOMAIN). Blocking: run it off the event loops.
    package func textRecords(_ name: String) throws -> [String] {
        try records(name, type: .txt).compactMap {
            guard case .text(let text) = $0 else { return nil }
            return text
        }
    }

    /// The IPv4 then IPv6 addresses of `name` (its A and AAAA records); empty when it has none.
    /// Blocking: run it off the event loops.
    package func addresses(_ name: String) throws -> [IPAddress] {
        try (records(name, type: .a) + records(name, type: .aaaa)).compactMap {
            guard case .address(let address) = $0 else { return nil }
            return address
        }
    }

    /// The records of one type that answer `name`.
    package func records(_ name: String, type: RecordType) throws -> [Record] {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = try Self.query(name, type: type, id: id)
        var lastError: any Error = Failure.noAnswer("not asked")
        for _ in 0..<attempts {
            do {
                return try Self.parse(try exchange(query), id: id).filter { $0.type == type }.map(\.record)
            } catch Failure.noAnswer(let why) {
                lastError = Failure.noAnswer(why)
            }
        }
        throw lastError
    }

    /// The first `nameserver` of `/etc/resolv.conf`, as the system's own resolver would ask.
    package static func systemServer(resolvConf: String = "/etc/resolv.conf") -> SocketAddress? {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[0] == "nameserver",
                let address = try? SocketAddress(ipAddress: String(words[1]), port: 53)
            {
                return address
            }
        }
        return nil
    }

    // MARK: Wire format

    package static func query(_ name: String, type: RecordType, id: UInt16) throws -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { throw Failure.malformed("label '\(label)' in the name") }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 1]  // root, QTYPE, QCLASS IN
        return bytes
    }

    /// The records of an answer to the query `id`, with their types. Every read is bounds-checked: the
    /// answer comes from the network.
    package static func parse(_ bytes: [UInt8], id: UInt16) throws -> [(type: RecordType, record: Record)] {
        var reader = Reader(bytes: bytes)
        guard try reader.u16() == id else { throw Failure.noAnswer("an answer to another query") }
        let flags = try reader.u16()
        guard flags & 0x8000 != 0 else { throw Failure.malformed("not a response") }
        guard flags & 0x0200 == 0 else { throw Failure.malformed("truncated; the answer is too large for UDP") }
        let rcode = Int(flags & 0x000F)
        if rcode == 3 { return [] }  // NXDOMAIN: no such name, so no record
        guard rcode == 0 else { throw Failure.refused(rcode: rcode) }
        let questions = try reader.u16()
        let answers = try reader.u16()
        _ = try reader.u16()
        _ = try reader.u16()
        for _ in 0..<questions {
            try reader.skipName()
            try reader.skip(4)
        }
        var records: [(type: RecordType, record: Record)] = []
        for _ in 0..<answers {
            try reader.skipName()
            let type = RecordType(rawValue: try reader.u16())
            _ = try reader.u16()
            try reader.skip(4)
            let length = Int(try reader.u16())
            let end = reader.offset + length
            guard end <= bytes.count else { throw Failure.malformed("a record runs past the end") }
            let data = Array(bytes[reader.offset..<end])
            switch type {
            case .txt: records.append((.txt, .text(try text(data))))
            case .a where length == 4:
                records.append((.a, .address(.v4(data.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))))
            case .aaaa where length == 16: records.append((.aaaa, .address(.v6(data))))
            case .a, .aaaa: throw Failure.malformed("an address record of \(length) bytes")
            case nil: break
            }
            reader.offset = end
        }
        return records
    }

    /// A TXT record's character strings, joined.
    private static func text(_ data: [UInt8]) throws -> String {
        var text: [UInt8] = []
        var offset = 0
        while offset < data.count {
            let count = Int(data[offset])
            guard offset + 1 + count <= data.count else { throw Failure.malformed("a TXT string runs past its record") }
            text += data[(offset + 1)..<(offset + 1 + count)]
            offset += 1 + count
        }
        return String(decoding: text, as: UTF8.self)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u8() throws -> UInt8 {
            guard offset < bytes.count else { throw Failure.malformed("ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

        mutating func skip(_ count: Int) throws {
            guard offset + count <= bytes.count else { throw Failure.malformed("ends early") }
            offset += count
        }

        /// Skips a name: labels up to the root, or up to a compression pointer (which ends it).
        mutating func skipName() throws {
            for _ in 0..<128 {
                let length = try u8()
                if length == 0 { return }
                if length & 0xC0 == 0xC0 { return try skip(1) }
                guard length & 0xC0 == 0 else { throw Failure.malformed("a label of an unknown kind") }
                try skip(Int(length))
            }
            throw Failure.malformed("a name of more than 127 labels")
        }
    }

    // MARK: Socket

    private func exchange(_ query: [UInt8]) throws -> [UInt8] {
        let family: Int32 = server.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.noAnswer("socket: errno \(errno)") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        // Connected, so that only the server's own datagrams are received.
        let connected = server.withSockAddr { address, size in connect(fd, address, socklen_t(size)) }
        guard connected == 0 else { throw Failure.noAnswer("connect: errno \(errno)") }
        let sent = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == query.count else { throw Failure.noAnswer("send: errno \(errno)") }
        var answer = [UInt8](repeating: 0, count: 4_096)
        let received = answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw Failure.noAnswer(errno == EAGAIN ? "timed out" : "receive: errno \(errno)") }
        return Array(answer.prefix(received))
    }

    package init(server: SocketAddress, timeout: TimeInterval = 3) {
        self.server = server
        self.timeout = timeout
    }
}

package import Foundation
package import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Asks one DNS server for the TXT records of a name, over UDP (RFC 1035). Written by hand because
/// neither SwiftNIO nor the packages we use have a DNS client (NIO resolves addresses only, through
/// getaddrinfo), and the check must ask a configurable server (`--dns-server`) so that it can be
/// pointed at a resolver of the operator's choice, and at a local one in tests.
package struct DNSTXTLookup: Sendable {
    /// The server to ask.
    package let server: SocketAddress
    package var timeout: TimeInterval = 3
    package var attempts = 2

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

    /// The TXT records of `name`, each its strings joined; empty when the name has none or does
    /// not exist (NXDOMAIN). Blocking: run it off the event loops.
    package func records(_ name: String) throws -> [String] {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = try Self.query(name, id: id)
        var lastError: any Error = Failure.noAnswer("not asked")
        for _ in 0..<attempts {
            do {
                return try Self.parse(try exchange(query), id: id)
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

    package static func query(_ name: String, id: UInt16) throws -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { throw Failure.malformed("label '\(label)' in the name") }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, 0, 16, 0, 1]  // root, QTYPE TXT, QCLASS IN
        return bytes
    }

    /// The TXT strings of an answer to the query `id`. Every read is bounds-checked: the answer comes
    /// from the network.
    package static func parse(_ bytes: [UInt8], id: UInt16) throws -> [String] {
        var reader = Reader(bytes: bytes)
        guard try reader.u16() == id else { throw Failure.noAnswer("an answer to another query") }
        let flags = try reader.u16()
        guard flags & 0x8000 != 0 else { throw Failure.malformed("not a response") }
        guard flags & 0x0200 == 0 else { throw Failure.malformed("truncated; the record is too large for UDP") }
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
        var records: [String] = []
        for _ in 0..<answers {
            try reader.skipName()
            let type = try reader.u16()
            _ = try reader.u16()
            try reader.skip(4)
            let length = Int(try reader.u16())
            let end = reader.offset + length
            guard end <= bytes.count else { throw Failure.malformed("a record runs past the end") }
            if type == 16 {
                var text: [UInt8] = []
                while reader.offset < end {
                    let count = Int(try reader.u8())
                    guard reader.offset + count <= end else {
                        throw Failure.malformed("a TXT string runs past its record")
                    }
                    text += bytes[reader.offset..<(reader.offset + count)]
                    reader.offset += count
                }
                records.append(String(decoding: text, as: UTF8.self))
            }
            reader.offset = end
        }
        return records
    }

    private struct Reader {
        package let bytes: [UInt8]
        package var offset = 0

        package mutating func u8() throws -> UInt8 {
            guard offset < bytes.count else { throw Failure.malformed("ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        package mutating func u16() throws -> UInt16 { UInt16(try u8()) << 8 | UInt16(try u8()) }

        package mutating func skip(_ count: Int) throws {
            guard offset + count <= bytes.count else { throw Failure.malformed("ends early") }
            offset += count
        }

        /// Skips a name: labels up to the root, or up to a compression pointer (which ends it).
        package mutating func skipName() throws {
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

package import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The addresses a host name of a tenant's stands for, found once so that the outbound guard checks the
/// very addresses the connection then goes to (`OutboundClient`). A literal is read as the C library
/// reads one (`IPAddress(literal:)`: `0x7f.1` is 127.0.0.1), never looked up.
package struct AddressResolver: Sendable {
    /// The DNS server asked (`--dns-server`); nil asks the system's resolver (getaddrinfo, which reads
    /// /etc/hosts and the system's nameservers as every other program on the host does).
    package let dnsServer: SocketAddress?

    package init(dnsServer: SocketAddress?) {
        self.dnsServer = dnsServer
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// The addresses of `host`, IPv4 first; never empty.
    /// - Throws: `Failure` saying why none was found.
    package func addresses(of host: String) async throws -> [IPAddress] {
        if let literal = IPAddress(literal: host) { return [literal] }
        let server = dnsServer
        let found: [IPAddress]
        do {
            found = try await NIOThreadPool.singleton.runIfActive {
                if let server { return try DNSClient(server: server).addresses(host) }
                return try Self.systemAddresses(host)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(host) could not be resolved: \(error)")
        }
        guard !found.isEmpty else { throw Failure(description: "\(host) has no address (no A or AAAA record)") }
        return found.sorted { ($0.isV4 ? 0 : 1) < ($1.isV4 ? 0 : 1) }
    }

    /// getaddrinfo's addresses for `host`, in its order, without duplicates.
    private static func systemAddresses(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw Failure(description: "\(host) could not be resolved (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(list) }
        var found: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let address = IPAddress(sockaddr: current.pointee.ai_addr), !found.contains(address) {
                found.append(address)
            }
            entry = current.pointee.ai_next
        }
        return found
    }
}

extension IPAddress {
    /// The address of a socket address of the IPv4 or IPv6 family; nil for any other. Read at the
    /// offsets the socket ABI fixes (`sin_addr` after family and port, `sin6_addr` after those and the
    /// flow label): Swift's view of the Glibc structs' members goes through a module we do not import.
    init?(sockaddr pointer: UnsafeMutablePointer<sockaddr>?) {
        guard let pointer else { return nil }
        let raw = UnsafeRawPointer(pointer)
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            self = .v4(UnsafeRawBufferPointer(start: raw + 4, count: 4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case AF_INET6:
            self = .v6(Array(UnsafeRawBufferPointer(start: raw + 8, count: 16)))
        default:
            return nil
        }
    }

    var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }
}

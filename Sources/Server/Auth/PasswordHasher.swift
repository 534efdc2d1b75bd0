import COpenSSLCrypto
import CPlatform
import Engine
import Foundation
import NIOPosix
import Synchronization
import Wire

/// Password hashes with scrypt from libcrypto, on a thread pool of their own with a
/// bounded queue: a hash takes tens of milliseconds of one core by design, so a crowd of logins must
/// neither block the threads that serve reads nor queue without limit (a full queue answers 503 with
/// Retry-After). The pool has half the cores and its threads run at a lower priority (nice 10), so
/// that under a login storm the event loops serving reads still get the CPU first. An unknown email still costs one full hash (a dummy), so response
/// times do not tell which emails have accounts.
///
/// Stored form, self-describing so the cost can rise later: `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`
/// with base64 salt (16 bytes) and hash (32 bytes).
package final class PasswordHasher: Sendable {
    package struct Cost: Sendable, Equatable {
        package let log2N: Int
        package let r: Int
        package let p: Int

        /// N = 2^15, r = 8, p = 1: 32 MiB and ~50-100 ms per hash on this machine (OWASP's minimum).
        package static let production = Cost(log2N: 15, r: 8, p: 1)

        /// The production cost, unless tests lower it with `STATUSD_TEST_KDF_LOG2` (deliberately not a
        /// flag: a low cost must never be one `--help` away in production).
        package static var configured: Cost {
            guard let text = ProcessInfo.processInfo.environment["STATUSD_TEST_KDF_LOG2"], let log2N = Int(text),
                (4...14).contains(log2N)
            else { return .production }
            return Cost(log2N: log2N, r: 8, p: 1)
        }
    }

    /// The pool is full: the caller answers 503.
    package struct Busy: Error {}

    package let cost: Cost
    private let pool: NIOThreadPool
    private let pending = Atomic<Int>(0)
    private let pendingMax: Int

    package init(
        cost: Cost, threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2), pendingMax: Int = 64
    ) {
        // Paired assertion (TigerStyle): libcrypto must give RFC 7914's first test vector before any
        // password is trusted to it.
        let vector = try? Self.derive(password: [], salt: [], cost: Cost(log2N: 4, r: 1, p: 1), length: 16)
        precondition(
            vector == [0x77, 0xd6, 0x57, 0x62, 0x38, 0x65, 0x7b, 0x20, 0x3b, 0x19, 0xca, 0x42, 0xc1, 0x8a, 0x04, 0x97],
            "libcrypto's scrypt does not match RFC 7914")
        self.cost = cost
        self.pendingMax = pendingMax
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    /// A new stored hash for `password`.
    package func hash(_ password: String) async throws -> [UInt8] {
        let cost = cost
        return try await run {
            var salt = [UInt8](repeating: 0, count: 16)
            var generator = SystemRandomNumberGenerator()
            for index in salt.indices { salt[index] = generator.next() }
            let derived = try Self.derive(password: Array(password.utf8), salt: salt, cost: cost, length: 32)
            let text =
                "scrypt$\(cost.log2N)$\(cost.r)$\(cost.p)$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
            return Array(text.utf8)
        }
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown email, or an account that
    /// signs in through OpenID Connect only) it runs a dummy hash and answers false.
    package func verify(_ password: String, against stored: [UInt8]?) async throws -> Bool {
        let cost = cost
        return try await run {
            guard let stored, let parsed = Self.parse(stored) else {
                _ = try Self.derive(
                    password: Array(password.utf8), salt: Array("statusd-dummy-salt".utf8), cost: cost, length: 32)
                return false
            }
            let derived = try Self.derive(
                password: Array(password.utf8), salt: parsed.salt, cost: parsed.cost, length: parsed.hash.count)
            return constantTimeEqual(derived, parsed.hash)
        }
    }

    private func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        guard pending.add(1, ordering: .relaxed).newValue <= pendingMax else {
            pending.subtract(1, ordering: .relaxed)
            throw Busy()
        }
        defer { pending.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive {
            cplatform_lower_thread_priority(10)  // idempotent; the pool's threads are ours alone
            return try work()
        }
    }

    private static func parse(_ stored: [UInt8]) -> (cost: Cost, salt: [UInt8], hash: [UInt8])? {
        let parts = String(decoding: stored, as: UTF8.self).split(separator: "$")
        guard parts.count == 6, parts[0] == "scrypt", let log2N = Int(parts[1]), let r = Int(parts[2]),
            let p = Int(parts[3]), (1...22).contains(log2N), (1...32).contains(r), (1...16).contains(p),
            let salt = Data(base64Encoded: String(parts[4])), let hash = Data(base64Encoded: String(parts[5]))
        else { return nil }
        return (Cost(log2N: log2N, r: r, p: p), Array(salt), Array(hash))
    }

    package static func derive(password: [UInt8], salt: [UInt8], cost: Cost, length: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let n = UInt64(1) << UInt64(cost.log2N)
        // Memory scrypt needs is 128·N·r·p (plus a little); OpenSSL refuses above maxmem (32 MiB by
        // default, just below what the production cost needs).
        let memoryMax = 128 * n * UInt64(cost.r) * UInt64(cost.p + 1) + (1 << 20)
        // One byte more than the content in each buffer, so that an empty password or salt still has
        // a base address to hand to C.
        let passwordText = password.map { CChar(bitPattern: $0) } + [0]
        let saltBytes = salt + [0]
        let result = passwordText.withUnsafeBufferPointer { passwordPointer in
            saltBytes.withUnsafeBufferPointer { saltPointer in
                output.withUnsafeMutableBufferPointer { outputPointer in
                    EVP_PBE_scrypt(
                        passwordPointer.baseAddress, password.count, saltPointer.baseAddress, salt.count, n,
                        UInt64(cost.r), UInt64(cost.p), memoryMax, outputPointer.baseAddress, length)
                }
            }
        }
        guard result == 1 else { throw ScryptFailure() }
        return output
    }

    package struct ScryptFailure: Error {}
}

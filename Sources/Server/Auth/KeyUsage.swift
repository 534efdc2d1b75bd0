package import Engine
package import Foundation
import Synchronization
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// When each API key was last used: kept in memory on every request and written to
/// `<data>/key-usage.json` at most once a minute and at shutdown, never as a log event per request.
/// After a crash a key's last use may be up to a minute old; nothing else depends on it. In cluster
/// mode the nodes also share their times through the log's database (`KeyUsageWriter`), so that each
/// answers the latest use on any node.
package final class KeyUsage: Sendable {
    private let lastUsed = Mutex<[KeyID: Date]>([:])
    private let dirty = Atomic<Bool>(false)
    /// Keys used here since the times were last shared with the cluster.
    private let unshared = Mutex<Set<KeyID>>([])
    private let file: String

    /// Loads what the last run wrote (an unreadable file is dropped: it only ever holds times).
    package init(dataDirectory path: String) {
        file = path + "/key-usage.json"
        guard let data = FileManager.default.contents(atPath: file),
            let stored = try? JSONDecoder().decode([String: Double].self, from: data)
        else { return }
        var times: [KeyID: Date] = [:]
        for (text, seconds) in stored {
            if let id = KeyID(text) { times[id] = Date(timeIntervalSince1970: seconds) }
        }
        lastUsed.withLock { $0 = times }
    }

    package func record(_ key: KeyID, at now: Date = WallClock.now()) {
        lastUsed.withLock { $0[key] = now }
        unshared.withLock { _ = $0.insert(key) }
        dirty.store(true, ordering: .relaxed)
    }

    /// The times of the keys used here since the last call: what this node tells the cluster.
    package func takeUnshared() -> [KeyID: Date] {
        let keys = unshared.withLock { keys in
            defer { keys = [] }
            return keys
        }
        return lastUsed.withLock { times in times.filter { keys.contains($0.key) } }
    }

    /// Shares these keys again in the next round (sharing them failed).
    package func markUnshared(_ keys: some Sequence<KeyID>) {
        unshared.withLock { $0.formUnion(keys) }
    }

    /// Takes the cluster's times where they are later than this node's.
    package func merge(_ times: [KeyID: Date]) {
        let moved = lastUsed.withLock { mine in
            var moved = false
            for (key, time) in times where mine[key].map({ $0 < time }) ?? true {
                mine[key] = time
                moved = true
            }
            return moved
        }
        if moved { dirty.store(true, ordering: .relaxed) }
    }

    package func lastUse(of key: KeyID) -> Date? { lastUsed.withLock { $0[key] } }

    /// Writes the times if anything changed, keeping only keys that still exist (temp file, fsync,
    /// rename). Blocking: call it off the cooperative threads.
    package func persist(keeping exists: (KeyID) -> Bool) throws {
        guard dirty.exchange(false, ordering: .relaxed) else { return }
        let times = lastUsed.withLock { times in
            times = times.filter { exists($0.key) }
            return times
        }
        let payload = Dictionary(uniqueKeysWithValues: times.map { ($0.key.rawValue, $0.value.timeIntervalSince1970) })
        let data = try JSONEncoder().encode(payload)
        let temporary = file + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw OperationFailure("cannot write \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, file) == 0 else {
            throw OperationFailure("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
    }
}

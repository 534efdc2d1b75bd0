import Engine
import Foundation
import Testing

@testable import Persistence

/// The delivery journal: marks fold into the same ledger after a reopen, a torn tail is cut off, a
/// damaged record before the tail is refused, and a compacted journal keeps only what is unfinished.
@Suite struct DeliveryJournalTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
    let key = NoticeKey(org: .random(), seq: Seq(7))
    let other = NoticeKey(org: .random(), seq: Seq(3))

    @Test func marks_foldTheSameAfterAReopen_andCompactionKeepsTheUnfinished() async throws {
        let journal = FileDeliveryJournal(dataDirectory: folder)
        #expect(try await journal.load().notices.isEmpty)
        let (a, b) = (SubscriberID.random(), SubscriberID.random())
        let due = Date(timeIntervalSince1970: 1_800_000_000)
        let marks: [DeliveryMark] = [
            .progress(key, lane: .urls, through: min(a, b)), .retry(key, a, attempt: 2, due: due, reason: "HTTP 503"),
            .progress(key, lane: .urls, through: max(a, b)), .settled(key, a),
            .retry(key, b, attempt: 1, due: due, reason: "x"),
            .progress(other, lane: .urls, through: a), .finished(other),
        ]
        try await journal.append(Array(marks[..<3]))
        try await journal.append(Array(marks[3...]))
        journal.close()
        var expected = DeliveryLedger()
        for mark in marks { expected.apply(mark) }
        let reopened = FileDeliveryJournal(dataDirectory: folder)
        let ledger = try await reopened.load()
        #expect(ledger == expected)
        #expect(ledger.notices[key]?.through == [.urls: max(a, b)])
        #expect(ledger.notices[key]?.retries.keys.map { $0 } == [b])
        #expect(ledger.notices[other]?.finished == true)

        var compacted = ledger
        compacted.forget([other])
        try await reopened.compact(to: compacted)
        try await reopened.append([.settled(key, b)])
        reopened.close()
        var after = compacted
        after.apply(.settled(key, b))
        #expect(try await FileDeliveryJournal(dataDirectory: folder).load() == after)
    }

    @Test func aTornTail_isCutOff_aDamagedMiddleIsRefused() async throws {
        let journal = FileDeliveryJournal(dataDirectory: folder)
        _ = try await journal.load()
        try await journal.append([.progress(key, lane: .urls, through: .random())])
        try await journal.append([.finished(key)])
        journal.close()
        let path = folder + "/deliveries/journal"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let whole = bytes
        bytes.removeLast(3)  // the last record cut by a crash
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let repaired = try await FileDeliveryJournal(dataDirectory: folder).load()
        #expect(repaired.notices[key]?.finished == false)
        #expect(repaired.notices[key]?.through.isEmpty == false)

        // A header cut short (the fuzzer's first find: it trapped) is refused by name.
        try Data(whole.prefix(15)).write(to: URL(fileURLWithPath: path))
        await #expect(throws: PersistenceError.self) { try await FileDeliveryJournal(dataDirectory: folder).load() }

        var damaged = whole
        damaged[FileDeliveryJournal.headerBytes + 9] ^= 0xff  // inside the first record's payload
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        await #expect(throws: PersistenceError.self) { try await FileDeliveryJournal(dataDirectory: folder).load() }
    }
}

/// `snapshots/deliveries-v1/journal`, written by version 1 of the journal, keeps loading forever
/// (docs/FORMAT.md "Delivery journal"); `STATUSD_WRITE_GOLDEN=1` writes it (never again once released).
@Suite struct GoldenDeliveryJournalTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = root.appendingPathComponent("snapshots/deliveries-v1")

    static func id<Kind>(_ prefix: String, _ suffix: String) -> Identifier<Kind> {
        Identifier<Kind>(prefix + "_" + String(repeating: "0", count: 20 - suffix.count) + suffix)!
    }

    static var marks: [DeliveryMark] {
        let key = NoticeKey(org: id("org", "3"), seq: Seq(12))
        let done = NoticeKey(org: id("org", "3"), seq: Seq(10))
        return [
            .progress(key, lane: .urls, through: id("sub", "1")),
            .retry(
                key, id("sub", "2"), attempt: 3, due: Date(timeIntervalSince1970: 1_795_000_060), reason: "HTTP 503"),
            .progress(key, lane: .urls, through: id("sub", "4")),
            .retry(key, id("sub", "4"), attempt: 1, due: Date(timeIntervalSince1970: 1_795_000_007.5), reason: "x"),
            .settled(key, id("sub", "2")),
            .progress(key, lane: .mail, through: id("sub", "5")),
            .progress(done, lane: .urls, through: id("sub", "9")),
            .finished(done),
        ]
    }

    @Test func version1_decodesToTheSameLedger() async throws {
        let path = Self.folder.appendingPathComponent("journal").path
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID())").path
            let journal = FileDeliveryJournal(dataDirectory: scratch)
            _ = try await journal.load()
            try await journal.append(Self.marks)
            journal.close()
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: scratch + "/deliveries/journal", toPath: path)
        }
        let (marks, end) = try FileDeliveryJournal.decode(
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        #expect(marks == Self.marks)
        #expect(end == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
    }
}

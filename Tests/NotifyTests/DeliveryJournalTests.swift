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
            .progress(key, through: min(a, b)), .retry(key, a, attempt: 2, due: due, reason: "HTTP 503"),
            .progress(key, through: max(a, b)), .settled(key, a), .retry(key, b, attempt: 1, due: due, reason: "x"),
            .progress(other, through: a), .finished(other),
        ]
        try await journal.append(Array(marks[..<3]))
        try await journal.append(Array(marks[3...]))
        journal.close()
        var expected = DeliveryLedger()
        for mark in marks { expected.apply(mark) }
        let reopened = FileDeliveryJournal(dataDirectory: folder)
        let ledger = try await reopened.load()
        #expect(ledger == expected)
        #expect(ledger.notices[key]?.through == max(a, b))
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
        try await journal.append([.progress(key, through: .random())])
        try await journal.append([.finished(key)])
        journal.close()
        let path = folder + "/deliveries/journal"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let whole = bytes
        bytes.removeLast(3)  // the last record cut by a crash
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let repaired = try await FileDeliveryJournal(dataDirectory: folder).load()
        #expect(repaired.notices[key]?.finished == false)
        #expect(repaired.notices[key]?.through != nil)

        var damaged = whole
        damaged[FileDeliveryJournal.headerBytes + 9] ^= 0xff  // inside the first record's payload
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        await #expect(throws: PersistenceError.self) { try await FileDeliveryJournal(dataDirectory: folder).load() }
    }
}

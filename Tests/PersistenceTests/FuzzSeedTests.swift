import Engine
import Foundation
import HashTreeCollections
import NIOCore
import Testing

@testable import Persistence

/// The committed seed corpus of the fuzz targets (Tests/Fuzz/Corpus, run by `make fuzz`): each seed
/// must still be what its decoder accepts, or the fuzzer would start from noise after a format change.
/// `STATUSD_FUZZ_SEEDS=write swift test --filter FuzzSeedTests` writes the binary seeds afresh from
/// the sample records (the JSON bodies are written by hand).
@Suite struct FuzzSeedTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    /// The seeds, by fuzz target and file name.
    static func seeds() throws -> [String: [String: [UInt8]]] {
        var records = ByteBuffer()
        for record in SampleRecords.records { records.writeWALRecord(record) }
        var subscriberRecords = ByteBuffer()
        for record in SampleRecords.subscriberRecords { subscriberRecords.writeWALRecord(record) }
        var segment = ByteBuffer(bytes: WALFormat.segmentHeader(first: LogPosition(0)))
        WALFormat.writeBatch(records: records, count: SampleRecords.records.count, into: &segment)
        let snapshot = SnapshotFile.encode(SnapshotTests.sampleCapture)
        var items = ByteBuffer()
        for incident in SnapshotTests.sampleOrg.incidents.values { incident.writeArchived(into: &items) }
        let itemBytes = Array(items.readableBytesView)
        let block = ArchiveFormat.block(
            kind: .incidents, count: SnapshotTests.sampleOrg.incidents.count, oldest: SampleRecords.at,
            newest: SampleRecords.at, payload: try LZ4Frame.compress(itemBytes))
        return [
            "wal-records": [
                "sample-records": Array(records.readableBytesView),
                "sample-subscriber-records": Array(subscriberRecords.readableBytesView),
            ],
            "wal-batch": ["sample-segment": Array(segment.readableBytesView)],
            "snapshot": ["sample-frame": try LZ4Frame.compress(snapshot), "sample-payload": snapshot],
            "archive": ["sample-file": ArchiveFormat.fileHeader() + block, "sample-items": itemBytes],
        ]
    }

    @Test func committedSeeds_areAcceptedByTheirDecoders() throws {
        let seeds = try Self.seeds()
        #expect(!SnapshotTests.sampleOrg.incidents.isEmpty, "the archive seed holds incidents")
        if ProcessInfo.processInfo.environment["STATUSD_FUZZ_SEEDS"] == "write" {
            for (target, files) in seeds {
                let folder = Self.corpus.appendingPathComponent(target)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
            }
        }
        let read = { (target: String, name: String) in
            Array(try Data(contentsOf: Self.corpus.appendingPathComponent(target).appendingPathComponent(name)))
        }
        var subscribers = ByteBuffer(bytes: try read("wal-records", "sample-subscriber-records"))
        var decodedSubscribers: [LogRecord] = []
        while subscribers.readableBytes > 0 { decodedSubscribers.append(try subscribers.readWALRecord()) }
        #expect(decodedSubscribers == SampleRecords.subscriberRecords)
        let journal = try read("delivery-journal", "sample-journal")
        #expect(try FileDeliveryJournal.decode(journal, path: "seed").marks.count == 8)
        var records = ByteBuffer(bytes: try read("wal-records", "sample-records"))
        var decoded: [LogRecord] = []
        while records.readableBytes > 0 { decoded.append(try records.readWALRecord()) }
        #expect(decoded == SampleRecords.records)
        let segment = WALSegmentBytes(
            bytes: try read("wal-batch", "sample-segment"), path: "seed", batchBytesMax: 1 << 20)
        guard case .batch(let batch, _) = segment.readBatch(at: WALFormat.segmentHeaderBytes) else {
            Issue.record("the segment seed holds no valid batch")
            return
        }
        #expect(batch == SampleRecords.records)
        let frame = try LZ4Frame.decompress(try read("snapshot", "sample-frame"))
        #expect(try SnapshotFile.decode(frame).organizations == [SnapshotTests.sampleOrg])
        #expect(
            try SnapshotFile.decode(ByteBuffer(bytes: try read("snapshot", "sample-payload"))).organizations.count == 1)
        let file = try read("archive", "sample-file")
        guard case .block(let block) = ArchiveFormat.readBlock(in: file, at: ArchiveFormat.fileHeaderBytes) else {
            Issue.record("the archive seed holds no valid block")
            return
        }
        #expect(block.count == SnapshotTests.sampleOrg.incidents.count)
        var items = ByteBuffer(bytes: try read("archive", "sample-items"))
        #expect(try Incident.readArchived(from: &items).id == SnapshotTests.sampleOrg.incidents.values.first?.id)
    }
}

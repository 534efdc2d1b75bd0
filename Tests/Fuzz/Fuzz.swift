import Engine
import Foundation
import NIOCore
import Outbound
import Wire

@testable import Persistence

/// libFuzzer targets over every decoder that reads bytes statusd did not just make itself:
/// WAL records and batches, snapshots (LZ4 frame and payload), history-archive blocks and items, and
/// the JSON bodies of the write routes, and DNS answers (the custom-domain check reads them off the
/// network). Built by `scripts/fuzz.sh` with `-sanitize=fuzzer,address` in
/// its own build folder; `FUZZ_TARGET` picks the decoder. A decoder may refuse any input, but must
/// never crash, hang or allocate without bound; what it accepts must encode back to what it decoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    switch FuzzTarget.selected {
    case .walRecords: FuzzTarget.walRecords(bytes)
    case .walBatch: FuzzTarget.walBatch(bytes)
    case .snapshot: FuzzTarget.snapshot(bytes)
    case .archive: FuzzTarget.archive(bytes)
    case .requestBodies: FuzzTarget.requestBodies(bytes)
    case .dnsAnswer: FuzzTarget.dnsAnswer(bytes)
    case .deliveryJournal: FuzzTarget.deliveryJournal(bytes)
    }
    return 0
}

/// libFuzzer's driver, for a `main` of our own: SwiftPM links an executable with `main` aliased to
/// `<module>_main`, so libFuzzer's `main` is never pulled in and this one hands over to its driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("Fuzz_main")
func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}

enum FuzzTarget: String, CaseIterable {
    case walRecords = "wal-records"
    case walBatch = "wal-batch"
    case snapshot
    case archive
    case requestBodies = "request-bodies"
    case dnsAnswer = "dns-answer"
    case deliveryJournal = "delivery-journal"

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("FUZZ_TARGET must be one of \(allCases.map(\.rawValue)); got '\(name)'")
        }
        return target
    }()

    /// Records as a batch holds them, past its checksum: what decodes must encode and decode back to
    /// the same record (the paired assertion of `FileEventLog.append`, from the other side).
    static func walRecords(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        while buffer.readableBytes > 0 {
            guard let record = try? buffer.readWALRecord() else { return }
            var encoded = ByteBuffer()
            encoded.writeWALRecord(record)
            var again = encoded
            precondition((try? again.readWALRecord()) == record, "a decoded record does not round-trip")
        }
    }

    /// A segment's bytes as they are, then the same bytes framed as a batch with valid checksums, so
    /// that the fuzzer gets past the checksums into the framing and record decoding.
    static func walBatch(_ bytes: [UInt8]) {
        let raw = WALSegmentBytes(bytes: bytes, path: "fuzz", batchBytesMax: 1 << 20)
        var offset = min(bytes.count, WALFormat.segmentHeaderBytes)
        while case .batch(_, let size) = raw.readBatch(at: offset) { offset += size }
        var framed = ByteBuffer()
        WALFormat.writeBatch(records: ByteBuffer(bytes: bytes), count: Int(bytes.first ?? 0), into: &framed)
        let segment = WALSegmentBytes(
            bytes: Array(framed.readableBytesView), path: "fuzz", batchBytesMax: 1 << 20)
        _ = segment.readBatch(at: 0)
    }

    /// A delivery journal file: the marks that decode must encode and decode back to the same marks.
    static func deliveryJournal(_ bytes: [UInt8]) {
        guard let (marks, _) = try? FileDeliveryJournal.decode(bytes, path: "fuzz") else { return }
        var again = ByteBuffer(bytes: Array(bytes.prefix(FileDeliveryJournal.headerBytes)))
        for mark in marks { FileDeliveryJournal.writeRecord(mark, into: &again) }
        precondition(
            (try? FileDeliveryJournal.decode(Array(again.readableBytesView), path: "fuzz"))?.marks == marks,
            "a decoded delivery mark does not round-trip")
    }

    /// A snapshot's LZ4 frame (bounded output) and its payload decoder, over the frame's content when
    /// the input is a frame and over the input itself.
    static func snapshot(_ bytes: [UInt8]) {
        if let payload = try? LZ4Frame.decompress(bytes, sizeMax: 1 << 22) { _ = try? SnapshotFile.decode(payload) }
        _ = try? SnapshotFile.decode(ByteBuffer(bytes: bytes))
    }

    /// An archive file: its header, then its blocks as the reader walks them, each valid block's items
    /// decoded from its LZ4 payload; and the item decoders over the raw bytes.
    static func archive(_ bytes: [UInt8]) {
        _ = try? ArchiveFormat.checkFileHeader(bytes[...], path: "fuzz")
        var offset = ArchiveFormat.fileHeaderBytes
        while offset < bytes.count {
            switch ArchiveFormat.readBlock(in: bytes, at: offset) {
            case .torn: offset = bytes.count
            case .damaged(let block): offset = block.end
            case .block(let block):
                let start = block.offset + ArchiveFormat.blockHeaderBytes
                if var items = try? LZ4Frame.decompress(Array(bytes[start..<block.end]), sizeMax: 1 << 22) {
                    for _ in 0..<min(block.count, 10_000) {
                        guard (try? Incident.readArchived(from: &items)) != nil else { break }
                    }
                }
                offset = block.end
            }
        }
        var incidents = ByteBuffer(bytes: bytes)
        while (try? Incident.readArchived(from: &incidents)) != nil {}
        var windows = ByteBuffer(bytes: bytes)
        while (try? Maintenance.readArchived(from: &windows)) != nil {}
    }

    /// Each write route's body type: decoded, or refused with a `DecodingError`, which the server
    /// turns into a 400 or a 422 naming the field. Any other error would be a 500.
    static func requestBodies(_ bytes: [UInt8]) {
        let data = Data(bytes)
        decode(ServiceInput.self, data)
        decode(ServiceStatusInput.self, data)
        decode(GroupInput.self, data)
        decode(IncidentInput.self, data)
        decode(MaintenanceInput.self, data)
        decode(MaintenanceStatusInput.self, data)
    }

    private static func decode<Input: Decodable>(_ input: Input.Type, _ data: Data) {
        do {
            _ = try JSONDecoder().decode(Input.self, from: data)
        } catch is DecodingError {
        } catch {
            fatalError("\(Input.self) threw \(type(of: error)), not a DecodingError: \(error)")
        }
    }

    /// A DNS answer to the custom-domain check's TXT query (the query id is the first two bytes, so
    /// that the fuzzer reaches past the id check): refused or read, never a crash.
    static func dnsAnswer(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        _ = try? DNSClient.parse(bytes, id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
    }
}

public import Engine  // Segments are named by Engine's LogPosition.
import Foundation

/// The WAL's segment files as the operator's tools see them (backup, restore), named by the format's
/// own rule rather than parsed again outside Persistence.
public enum WALFiles {
    /// Segment files in `walPath`, in position order; `.broken` copies and temporaries are left out.
    public static func segments(in walPath: String) throws -> [(name: String, first: LogPosition)] {
        try FileManager.default.contentsOfDirectory(atPath: walPath)
            .compactMap { name in WALFormat.firstPosition(ofSegment: name).map { (name, $0) } }
            .sorted { $0.first < $1.first }
    }
}

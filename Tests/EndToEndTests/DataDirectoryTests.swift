import Foundation
import Testing

/// A data directory that is missing, not writable or not a directory: statusd creates a
/// missing one, and refuses the others at once with one line that names the directory, the cause and
/// what to do, and a non-zero exit.
@Suite(.sameOnEitherLog) struct DataDirectoryTests {
    @Test func missingDataDirectory_isCreated_andServed() async throws {
        let parent = OperatorCommandTests.temporary("missing")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let data = URL(fileURLWithPath: parent).appendingPathComponent("deep/er/data")
        let server = try StatusdProcess(arguments: [], dataDirectory: data)
        defer { server.stop() }
        #expect(try await server.request("/health").status == 200)
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("wal").path))
    }

    @Test func readOnlyDataDirectory_isRefused_withOneLine() throws {
        let data = OperatorCommandTests.temporary("read-only")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: data)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try CommandLineTests.runCapturing(
            ["serve", "--port", "0", "--data-dir", data], asNobody: true)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains("cannot use the data directory") && result.stderr.contains(data))
        #expect(result.stderr.contains("Permission denied"), "\(result.stderr)")
        #expect(result.stderr.contains("writable"), "says what to do: \(result.stderr)")
    }

    @Test func fileInPlaceOfTheDataDirectory_isRefused_withOneLine() throws {
        let file = OperatorCommandTests.temporary("a-file")
        _ = FileManager.default.createFile(atPath: file, contents: Data("not a directory".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try CommandLineTests.runCapturing(["serve", "--port", "0", "--data-dir", file])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Not a directory") && result.stderr.contains(file), "\(result.stderr)")
    }
}

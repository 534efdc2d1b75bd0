import Foundation

/// This process's memory as the kernel counts it (`/proc/self/status`).
enum ProcessMemory {
    /// Resident set size now (`VmRSS`), in bytes.
    static var residentBytes: Int { field("VmRSS:") }

    /// Peak resident set size (`VmHWM`), in bytes.
    static var peakBytes: Int { field("VmHWM:") }

    private static func field(_ name: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kibibytes =
            status.split(separator: "\n").first { $0.hasPrefix(name) }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
        return kibibytes * 1024
    }
}

import Foundation

/// CPU time and resident memory of a process and its children (nginx's workers), read from /proc:
/// what a server spends, as the kernel counts it.
enum ProcessStats {
    /// User plus system CPU seconds of `pid` and its children.
    static func cpuSeconds(_ pid: Int32) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return family(pid).reduce(0) { total, member in
            let stat = (try? String(contentsOfFile: "/proc/\(member)/stat", encoding: .utf8)) ?? ""
            // Fields after the command name (which may hold spaces) in parentheses: utime is 14th
            // of the line, the 12th after ")".
            guard let close = stat.lastIndex(of: ")") else { return total }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
                return total
            }
            return total + (user + system) / ticks
        }
    }

    /// Resident bytes (`VmRSS`) of `pid` and its children.
    static func residentBytes(_ pid: Int32) -> Int {
        family(pid).reduce(0) { total, member in
            let status = (try? String(contentsOfFile: "/proc/\(member)/status", encoding: .utf8)) ?? ""
            let kibibytes =
                status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
            return total + kibibytes * 1024
        }
    }

    /// `pid` and its direct children.
    private static func family(_ pid: Int32) -> [Int32] {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return [pid] + children.split(separator: " ").compactMap { Int32($0) }
    }
}

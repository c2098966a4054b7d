import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the kernel says about this process, read at scrape time from `/proc/self` (Linux); zero elsewhere.
struct ProcessStatistics: Sendable, Equatable {
    /// Resident set size.
    var residentBytes: Int64 = 0
    /// Open file descriptors (sockets included).
    var openFiles: Int = 0

    static func read() -> ProcessStatistics {
        var statistics = ProcessStatistics()
        #if os(Linux)
            // statm: size resident shared text lib data dt, in pages.
            if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
                let fields = statm.split(separator: " ")
                if fields.count > 1, let pages = Int64(fields[1]) {
                    statistics.residentBytes = pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
                }
            }
            // The listing's own descriptor is among the entries: one less is what the process holds.
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
                statistics.openFiles = max(0, entries.count - 1)
            }
        #endif
        return statistics
    }
}

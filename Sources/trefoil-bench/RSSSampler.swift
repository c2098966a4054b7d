import Foundation

/// Memory of a process as /proc/PID/status tells it, in kB.
struct ProcessMemory: Sendable {
    /// Resident set size now.
    let rssKB: Int
    /// The highest resident set size since the process started.
    let highWaterKB: Int

    static func read(pid: Int32) -> ProcessMemory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var rss: Int?
        var hwm: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = kilobytes(line) }
            if line.hasPrefix("VmHWM:") { hwm = kilobytes(line) }
        }
        guard let rss, let hwm else { return nil }
        return ProcessMemory(rssKB: rss, highWaterKB: hwm)
    }

    /// `VmRSS:   12345 kB` → 12345.
    private static func kilobytes(_ line: Substring) -> Int? {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }
}

/// Samples a process's VmRSS at a fixed interval in the background and keeps the peak.
final class RSSSampler: Sendable {
    private let peakKB = Counter()
    private let samples = Counter()
    private let task: Task<Void, Never>

    init(pid: Int32, interval: Duration = .milliseconds(10)) {
        let peak = peakKB
        let count = samples
        task = Task.detached {
            while !Task.isCancelled {
                if let memory = ProcessMemory.read(pid: pid) {
                    peak.raise(to: memory.rssKB)
                    count.add()
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Stops sampling; returns the peak VmRSS seen (kB) and the number of samples.
    func stop() async -> (peakKB: Int, samples: Int) {
        task.cancel()
        await task.value
        return (peakKB.current, samples.current)
    }
}

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

/// A process's memory over one operation: its RSS just before (the idle figure) and the peak while the operation
/// ran. VmRSS is sampled every 10 ms; VmHWM catches a peak between two samples, but only says something about the
/// operation if the operation raised it.
struct PeakMemory: Sendable {
    let idle: ProcessMemory
    let after: ProcessMemory
    let sampledPeakKB: Int
    let samples: Int

    /// Reads the idle figure, runs `operation` while sampling, then reads the high-water mark.
    static func during<T>(pid: Int32, _ operation: () async throws -> T) async throws -> (memory: PeakMemory, result: T)
    {
        guard let idle = ProcessMemory.read(pid: pid) else { throw BenchError("cannot read /proc/\(pid)/status") }
        let sampler = RSSSampler(pid: pid)
        let result: T
        do {
            result = try await operation()
        } catch {
            _ = await sampler.stop()
            throw error
        }
        let (sampledPeakKB, samples) = await sampler.stop()
        guard let after = ProcessMemory.read(pid: pid) else { throw BenchError("cannot read /proc/\(pid)/status") }
        return (PeakMemory(idle: idle, after: after, sampledPeakKB: sampledPeakKB, samples: samples), result)
    }

    var peakKB: Int { max(sampledPeakKB, after.highWaterKB > idle.highWaterKB ? after.highWaterKB : 0, idle.rssKB) }
    var idleMB: Double { Self.megabytes(idle.rssKB) }
    var peakMB: Double { Self.megabytes(peakKB) }
    var increaseMB: Double { peakMB - idleMB }

    var summary: String {
        String(format: "idle %.1f MB, peak %.1f MB (%d samples)", idleMB, peakMB, samples)
    }

    /// A row whose target is a growth under `limitMB`; `values` adds figures of the operation itself.
    func row(_ scenario: String, limitMB: Double, values: [String: Double], notes: String) -> ReportRow {
        ReportRow(
            scenario: scenario, figure: String(format: "%.1f MB (+%.1f MB)", peakMB, increaseMB),
            baseline: String(format: "idle: %.1f MB", idleMB), ratio: String(format: "+%.1f MB", increaseMB),
            target: String(format: "< +%.0f MB", limitMB), met: increaseMB < limitMB,
            values: [
                "peak_mb": peakMB, "idle_mb": idleMB, "increase_mb": increaseMB,
                "sampled_peak_mb": Self.megabytes(sampledPeakKB), "hwm_before_mb": Self.megabytes(idle.highWaterKB),
                "hwm_after_mb": Self.megabytes(after.highWaterKB), "samples": Double(samples),
            ].merging(values) { $1 },
            notes: notes)
    }

    private static func megabytes(_ kilobytes: Int) -> Double { Double(kilobytes) * 1_024 / 1e6 }
}

import Foundation

/// One line of the results: the figure, the baseline measured in the same run, their ratio, and
/// whether the target is met.
struct ReportRow: Codable, Sendable {
    var scenario: String
    /// The figure as printed, for example `512.3 MB/s`.
    var figure: String
    var baseline: String
    var ratio: String
    var target: String
    /// nil when there is nothing to compare against (a baseline that could not be measured).
    var met: Bool?
    /// The same figures as numbers (`figure`, `baseline`, `ratio`, `p50_ms`, `p99_ms`, …).
    var values: [String: Double]
    var notes: String?
}

/// Where and how the run happened.
struct MachineInfo: Codable, Sendable {
    var cores: Int
    var memory: String
    var cpu: String
    var disk: String
    var kernel: String

    static func current(tempDirectory: String) async -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let memoryKB = ((try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? "")
            .split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
            .flatMap { Double($0) }
        let memory = memoryKB.map { String(format: "%.1f GiB", $0 / 1_048_576) } ?? "unknown"
        let df = (try? await ChildProcess.run("df", ["-hT", tempDirectory]))?.output ?? ""
        let disk = df.split(separator: "\n").last.map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        let kernel = (try? await ChildProcess.run("uname", ["-sr"]))?.output ?? ""
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount, memory: memory, cpu: model,
            disk: disk.map { "\($0) (df -hT: filesystem type size used avail use% mount)" } ?? "unknown",
            kernel: kernel.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// The whole run, as written to the JSON file.
struct BenchReport: Codable, Sendable {
    var command: String
    var mode: String
    var trefoil: String
    var trefoilVersion: String
    var machine: MachineInfo
    var sizes: BenchSizes
    var started: String
    var seconds: Double
    var rows: [ReportRow]
    var failures: [String]

    /// A Markdown table: scenario | figure | baseline | ratio | target | met?
    func table() -> String {
        var lines = [
            "| scenario | figure | baseline in the same run | ratio | target | met? |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows {
            let met = row.met.map { $0 ? "yes" : "**no**" } ?? "n/a"
            lines.append(
                "| \(row.scenario) | \(row.figure) | \(row.baseline) | \(row.ratio) | \(row.target) | \(met) |")
        }
        for failure in failures {
            let oneLine = failure.split(whereSeparator: \.isNewline).joined(separator: " / ")
            lines.append("| \(oneLine) | could not run | | | | **failed** |")
        }
        return lines.joined(separator: "\n")
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
}

/// Number formatting for the table.
enum Format {
    static func mbps(_ value: Double) -> String { String(format: "%.1f MB/s", value) }
    static func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f ms" : "%.1f ms", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    static func rate(_ value: Double) -> String { String(format: "%.0f req/s", value) }
    static func count(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

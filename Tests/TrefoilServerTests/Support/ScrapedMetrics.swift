import Foundation
import HTTPTypes
import NIOCore

/// The samples of a `/metrics` scrape, read line by line: `name{label="value",…} number`. Enough for the tests to look
/// values up; the format itself is checked by the Prometheus project's own parser (`MetricsTextParserTests`).
struct ScrapedMetrics: Sendable, CustomStringConvertible {
    struct Sample: Sendable, Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]
    let text: String

    init(_ text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap { Self.sample(Substring($0)) }
    }

    /// The value of the one sample named `name` whose labels include `labels`; nil when there is none. Several
    /// matches are a mistake of the test and read as nil.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matches = samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return matches.count == 1 ? matches[0].value : nil
    }

    /// The sum of every sample named `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    var description: String { text }

    private static func sample(_ line: Substring) -> Sample? {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
            let value = Double(line[line.index(after: space)...])
        else { return nil }
        let series = line[..<space]
        guard let open = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: open)...].dropLast()  // the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let key = String(rest[..<equals].drop { $0 == "," })
            var value = ""
            var index = rest.index(equals, offsetBy: 2)  // past `="`
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    value.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    value.append(rest[index])
                }
                index = rest.index(after: index)
            }
            labels[key] = value
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
        }
        return Sample(name: String(series[..<open]), labels: labels, value: value)
    }
}

extension LiveServer {
    /// `GET /metrics` with `token` (the server's own when nil), read.
    func scrape(token: String? = nil) async throws -> ScrapedMetrics {
        var headers: HTTPFields = [:]
        if let token = token ?? (config.onebot11.accessToken.isEmpty ? nil : config.onebot11.accessToken) {
            headers[.authorization] = "Bearer \(token)"
        }
        let response = try await request("/metrics", headers: headers)
        guard response.status == .ok else {
            throw LiveServerError(
                description: "GET /metrics: \(response.status): \(String(buffer: response.body ?? .init()))")
        }
        return ScrapedMetrics(String(buffer: response.body ?? .init()))
    }

    /// Scrapes until `condition` holds (the transports count some things just after the client sees them), for up to
    /// 20 s; returns the last scrape either way, for the test's exact checks.
    func scrape(until condition: (ScrapedMetrics) -> Bool) async throws -> ScrapedMetrics {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let metrics = try await scrape()
            if condition(metrics) || ContinuousClock.now > deadline { return metrics }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

import Foundation
import Testing

/// The Prometheus project's own Python client (`prometheus-client` from PyPI, pinned in Tests/e2e/requirements.txt)
/// reads the scrape: the text format is whatever swift-prometheus writes, and a real parser must agree with every
/// sample the other tests read.
///
/// Part of the bot framework suite because it shares its venv, which that suite builds one test at a time.
extension BotFrameworkTests {
    /// One family as the parser reports it.
    struct ParsedFamily: Decodable {
        let name: String
        let type: String
        let samples: [ParsedSample]
    }

    struct ParsedSample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct ParsedScrape: Decodable {
        let families: [ParsedFamily]
    }

    @Test("prometheus_client parses the scrape after the known sequence: same samples, exact counts, right types")
    func prometheusClientParsesTheScrape() async throws {
        // This file sits one folder deeper than the helper expects its caller to.
        let root = e2ePackageRoot(file: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
        let python = try await e2eEnsureVenv(packageRoot: root)
        let sequence = try await MetricsScrapeTests.runSequence()
        let scrape = try await MetricsScrapeTests.settledScrape(sequence)
        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        try scrape.text.write(toFile: temp + "/scrape.txt", atomically: true, encoding: .utf8)

        let run = try await e2eRun(
            python, [root + "/Tests/e2e/parse_metrics.py", temp + "/scrape.txt"],
            environment: e2eCleanEnvironment(), timeout: .seconds(60))
        try #require(run.status == 0, "exit \(run.status): \(e2eTail(run.errors))\n\(scrape)")
        let parsed = try JSONDecoder().decode(ParsedScrape.self, from: Data(run.output.utf8))

        let theirs = parsed.families.flatMap(\.samples).map {
            ScrapedMetrics.Sample(name: $0.name, labels: $0.labels, value: $0.value)
        }
        #expect(theirs.count == scrape.samples.count)
        for sample in scrape.samples { #expect(theirs.contains(sample), "\(sample)") }

        func family(_ name: String) -> ParsedFamily? { parsed.families.first { $0.name == name } }
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            theirs.first { sample in
                sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
            }?.value
        }
        // The parser names a counter's family without `_total`.
        #expect(family("trefoil_onebot_actions")?.type == "counter")
        #expect(family("trefoil_onebot_action_duration_seconds")?.type == "histogram")
        #expect(family("trefoil_store_files")?.type == "gauge")
        #expect(value("trefoil_onebot_actions_total", ["action": "upload_group_file", "retcode": "0"]) == 3)
        #expect(
            value(
                "trefoil_onebot_actions_total", ["action": "delete_group_file", "retcode": "\(sequence.failedRetcode)"])
                == 1)
        #expect(value("trefoil_uploads_total", ["face": "onebot11", "source": "raw"]) == 1)
        #expect(value("trefoil_downloads_total", ["face": "onebot11", "kind": "file"]) == 1)
        #expect(value("trefoil_webhook_failures_total", ["target": sequence.hook]) == 4)
        #expect(value("trefoil_store_files", [:]) == 3)
    }
}

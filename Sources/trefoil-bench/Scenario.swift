import ArgumentParser
import Foundation

/// The scenarios `--only` can pick, in the order they run.
enum Scenario: String, CaseIterable, Sendable {
    case ingest, raw, multipart, download, metadata, listing, fanout, easemob, qiniu, small, smallfiles, concurrent,
        fragments, rss, metrics, s3

    /// `--only listing,metadata`: names separated by commas, each one of the cases.
    static func parseList(_ text: String) throws -> Set<Scenario> {
        var picked: Set<Scenario> = []
        for name in text.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let scenario = Scenario(rawValue: trimmed) else {
                throw ValidationError(
                    "unknown scenario '\(trimmed)'; pick from \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            picked.insert(scenario)
        }
        guard !picked.isEmpty else { throw ValidationError("--only needs at least one scenario") }
        return picked
    }

    /// The picked scenarios plus what they build on: raw, multipart and download need ingest's
    /// figure (and multipart the raw one).
    static func closing(_ picked: Set<Scenario>) -> Set<Scenario> {
        var all = picked
        if all.contains(.multipart) { all.insert(.raw) }
        if !all.isDisjoint(with: [.raw, .download]) { all.insert(.ingest) }
        return all
    }
}

import Foundation
import Testing

/// The core speaks only its own language.
@Suite("Core layering")
struct CoreLayeringTests {
    @Test("the core's sources name no protocol, except in the text of the shipped v1 migration")
    func noProtocolNames() throws {
        // Tests/TrefoilCoreTests/this file → Sources/TrefoilCore.
        let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/TrefoilCore")
        let files = try #require(FileManager.default.enumerator(atPath: core.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 30)
        var hits: [String] = []
        for file in files.sorted() {
            let text = try String(contentsOf: core.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.lowercased().contains(/busid|self_id|onebot|reverse_ws/)
            {
                hits.append("\(file): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(
            hits == [
                "Database/AppDatabase+migrations.swift: busid INTEGER NOT NULL CHECK (busid IN (102, 104)),",
                "Database/AppDatabase+migrations.swift: CHECK ((busid = 102) = (dead_time = 0))",
            ])
    }
}

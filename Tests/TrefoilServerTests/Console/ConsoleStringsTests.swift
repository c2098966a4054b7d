import Foundation
import Testing
import TrefoilCore

@testable import TrefoilConsole

extension ConsoleTests {
    /// Every text a page names exists in both languages: a missing key would show as the key itself (`kind_group`).
    @Suite("Console: texts")
    struct ConsoleStringsTests {
        /// The `{{t.key}}` of every template and the `text("key")` of every Swift file of the console.
        static func namedKeys() throws -> Set<String> {
            let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                    "Sources/TrefoilConsole")
            var keys: Set<String> = []
            let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".mustache") || file.hasSuffix(".swift") {
                let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
                let pattern = file.hasSuffix(".swift") ? #"text\("([a-z_0-9]+)""# : #"\{\{[#^/]?t\.([a-z_0-9]+)\}\}"#
                let expression = try NSRegularExpression(pattern: pattern)
                for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    keys.insert(String(text[Range(match.range(at: 1), in: text)!]))
                }
            }
            return keys
        }

        @Test("every text the templates and pages name, and every space kind's name, exists in English and Chinese")
        func everyKeyExists() throws {
            // A key built at run time (`"stat_" + key`) is named here by its prefix alone; the space kinds' are built
            // from every kind the store has.
            let keys = try Self.namedKeys().filter { !$0.hasSuffix("_") }
                .union(SpaceKind.allCases.map { "kind_\($0.rawValue)" })
            #expect(keys.count > 100)
            for key in keys.sorted() {
                let texts = ConsoleStrings.table[key]
                #expect(texts != nil, "no text for \(key)")
                #expect(texts?.en.isEmpty == false && texts?.zh.isEmpty == false, "an empty text for \(key)")
            }
        }
    }
}

import Foundation
import Hummingbird

/// The console's two languages, picked per request: the `lang` cookie the switch sets, else the best of
/// `Accept-Language`, else English.
enum ConsoleLanguage: String, Sendable, CaseIterable {
    case en
    case zh

    static let cookie = "lang"

    init(_ request: Request) {
        if let chosen = request.cookies[Self.cookie].flatMap({ ConsoleLanguage(rawValue: $0.value) }) {
            self = chosen
        } else {
            self = Self.preferred(acceptLanguage: request.headers[.acceptLanguage] ?? "")
        }
    }

    /// The language of `Accept-Language` with the highest weight that the console has (`zh`, `zh-CN`, `zh-Hans`…
    /// are Chinese; `en-*` English); English when none is. The first listed wins a tie, as RFC 9110 lets a server.
    static func preferred(acceptLanguage header: String) -> ConsoleLanguage {
        var best: (language: ConsoleLanguage, weight: Double)?
        for entry in header.split(separator: ",") {
            let parts = entry.split(separator: ";")
            let tag = (parts.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "q" {
                    weight = Double(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard weight > 0, let language = ConsoleLanguage(rawValue: primary) else { continue }
            if best == nil || weight > best!.weight { best = (language, weight) }
        }
        return best?.language ?? .en
    }

    /// Every text in this language, for the pages' `t`.
    var strings: [String: String] { self == .en ? Self.english : Self.chinese }

    private static let english = ConsoleStrings.table.mapValues(\.en)
    private static let chinese = ConsoleStrings.table.mapValues(\.zh)

    /// The text of `key` with `{0}`, `{1}` … replaced by `arguments`.
    func text(_ key: String, _ arguments: CustomStringConvertible...) -> String {
        var text = strings[key] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument.description)
        }
        return text
    }
}

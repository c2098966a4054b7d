import TrefoilJSON

/// Shared phrasing for problem reports, so every message quotes and describes values the same way.
public enum ConfigWording {
    // Long values would push the key and the rule off a log line; the start is enough to recognise them.
    private static let quoteLimit = 60

    /// A value in double quotes, escaped and shortened so it stays on one line.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if offset == quoteLimit {
                result += "…"
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// What a JSON value is, for "expected X, got Y"; a secret's value is never shown, only its type.
    static func describe(_ value: OrderedJSON, secret: Bool) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return secret ? "a boolean" : "boolean \(flag)"
        case .number(let text): return secret ? "a number" : "number \(text)"
        case .string(let text): return secret ? "a string" : "string \(quoted(text))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The candidate closest to `word` within edit distance 2, ignoring case; ties go to the earlier candidate.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// The Levenshtein distance between two strings, counted in characters.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left)
        let right = Array(right)
        if left.isEmpty { return right.count }
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: right.count)
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current[j + 1] = min(substitution, previous[j + 1] + 1, current[j] + 1)
            }
            previous = current
        }
        return previous[right.count]
    }
}

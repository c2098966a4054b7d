import Foundation

/// The parts of a Content-Type header that decide how a body is read.
public struct ContentType: Sendable, Equatable, CustomStringConvertible {
    /// The type and subtype, lowercased, such as `multipart/form-data`.
    public let type: String
    /// The parameters by lowercased name, quotes removed.
    public let parameters: [String: String]
    /// The header as received.
    public let raw: String

    public init(_ header: String) {
        raw = header
        let parts = header.split(separator: ";")
        type = parts.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            parameters[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] =
                value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
                ? String(value.dropFirst().dropLast()) : value
        }
        self.parameters = parameters
    }

    public var isJSON: Bool { type == "application/json" || type.hasSuffix("+json") || type == "text/json" }
    public var isForm: Bool { type == "application/x-www-form-urlencoded" }
    public var isMultipartForm: Bool { type == "multipart/form-data" }
    public var isOctetStream: Bool { type == "application/octet-stream" }
    public var description: String { type }
}

extension ContentType {
    /// The file name of a `Content-Disposition` header: `filename*=UTF-8''…` (RFC 5987) when given, else `filename`.
    public static func fileName(fromDisposition header: String) -> String? {
        let type = ContentType("x; " + header.split(separator: ";", maxSplits: 1).dropFirst().joined())
        if let extended = type.parameters["filename*"], let quote = extended.range(of: "''") {
            return String(extended[quote.upperBound...]).removingPercentEncoding
        }
        return type.parameters["filename"]
    }
}

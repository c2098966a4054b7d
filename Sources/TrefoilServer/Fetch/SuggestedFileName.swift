import Foundation

/// Derives a download's file name from Content-Disposition or the URL, reduced to one safe path component.
enum SuggestedFileName {
    /// The name from `Content-Disposition` (`filename*` preferred), else the URL's last path segment, else nil.
    static func from(contentDisposition: String?, percentEncodedPath: String) -> String? {
        if let header = contentDisposition, let name = self.fromContentDisposition(header) {
            return name
        }
        return self.fromPath(percentEncodedPath)
    }

    /// The last non-empty segment of a percent-encoded path, decoded.
    static func fromPath(_ percentEncodedPath: String) -> String? {
        guard let last = percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false).last,
            !last.isEmpty
        else { return nil }
        return self.sanitized(String(last).removingPercentEncoding ?? String(last))
    }

    /// Parses `filename*=charset'lang'value` (RFC 8187) and `filename=` (token or quoted-string).
    static func fromContentDisposition(_ header: String) -> String? {
        let parameters = self.parameters(of: header)
        if let extended = parameters["filename*"], let name = self.decodeExtendedValue(extended),
            let safe = self.sanitized(name)
        {
            return safe
        }
        if let plain = parameters["filename"] { return self.sanitized(plain) }
        return nil
    }

    /// Splits `type; name=value; name="quoted; value"` into lowercased names and unquoted values; first wins.
    static func parameters(of header: String) -> [String: String] {
        var result: [String: String] = [:]
        var scalars = Substring(header).unicodeScalars[...]
        // Skip the disposition type.
        while let first = scalars.first, first != ";" { scalars.removeFirst() }
        while !scalars.isEmpty {
            scalars.removeFirst()  // the ';'
            var name = ""
            while let first = scalars.first, first != "=", first != ";" {
                name.unicodeScalars.append(first)
                scalars.removeFirst()
            }
            name = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let first = scalars.popFirst(), first != "\"" {
                    if first == "\\", let escaped = scalars.popFirst() {
                        value.unicodeScalars.append(escaped)
                    } else {
                        value.unicodeScalars.append(first)
                    }
                }
                while let first = scalars.first, first != ";" { scalars.removeFirst() }
            } else {
                while let first = scalars.first, first != ";" {
                    value.unicodeScalars.append(first)
                    scalars.removeFirst()
                }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            if !name.isEmpty, result[name] == nil { result[name] = value }
        }
        return result
    }

    /// Decodes `UTF-8''%E4%B8%AD.txt`; ISO-8859-1 is the only other charset RFC 8187 requires.
    static func decodeExtendedValue(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let charset = parts[0].lowercased()
        var bytes: [UInt8] = []
        var utf8 = parts[2].utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.popFirst(), let low = utf8.popFirst(),
                    let decoded = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(decoded)
            } else {
                bytes.append(byte)
            }
        }
        switch charset {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    /// Keeps only the final path component and drops control characters, so the name cannot escape a directory.
    static func sanitized(_ name: String) -> String? {
        let lastComponent = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = ""
        for scalar in lastComponent.unicodeScalars where !scalar.properties.generalCategory.isControlLike {
            cleaned.unicodeScalars.append(scalar)
        }
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        guard !cleaned.isEmpty, cleaned != ".", cleaned != ".." else { return nil }
        return cleaned
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControlLike: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}

/// The canonical form of a request that Signature Version 4 hashes and signs.
struct CanonicalRequest {
    let text: String
    let signedHeaders: String

    init(_ request: SignableRequest, normalizesPath: Bool) {
        let headers = Self.canonicalHeaders(request.headers)
        signedHeaders = headers.map(\.name).joined(separator: ";")
        text = [
            request.method.uppercased(),
            Self.canonicalURI(request.path, normalizing: normalizesPath),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
    }

    /// `host;x-amz-date`: the lower-case names, sorted, each once.
    static func signedHeaders(of headers: [(name: String, value: String)]) -> String {
        canonicalHeaders(headers).map(\.name).joined(separator: ";")
    }

    /// The path percent-encoded segment by segment (slashes kept); `/` when empty.
    static func canonicalURI(_ path: String, normalizing: Bool) -> String {
        let path = normalizing ? normalized(path) : path
        return path.isEmpty ? "/" : URIEncoding.encode(path, keepingSlashes: true)
    }

    /// Every parameter encoded, sorted by name then value, `name=value` joined with `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lower-case names, sorted; a repeated name's values joined with commas in the order given; each value trimmed
    /// and every run of white space in it (folded lines too) made one space.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let squeezed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .joined(separator: " ")
            values[name.lowercased(), default: []].append(squeezed)
        }
        return values.keys.sorted().map { ($0, values[$0]!.joined(separator: ",")) }
    }

    /// The path without `.` and `..` segments and without empty segments, keeping a trailing slash.
    static func normalized(_ path: String) -> String {
        var segments: [Substring] = []
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for part in parts {
            switch part {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(part)
            }
        }
        let trailing = path.hasSuffix("/") || parts.last == "." || parts.last == ".."
        let joined = "/" + segments.joined(separator: "/")
        return trailing && !segments.isEmpty ? joined + "/" : joined
    }
}

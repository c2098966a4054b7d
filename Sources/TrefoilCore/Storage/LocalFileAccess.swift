import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads local files for uploads, only below the configured roots (`upload.local_roots`).
///
/// A path is judged after resolving `..` and symbolic links, so neither can lead outside a root. A
/// path outside every root is refused without saying whether it exists.
public struct LocalFileAccess: Sendable {
    /// The roots as real paths; roots that do not exist are left out.
    public let roots: [String]

    public init(roots: [String]) {
        self.roots = roots.compactMap(Self.realPath)
    }

    /// Opens a `file://` URL or an absolute path for reading; returns its bytes and file name.
    ///
    /// Throws `.unsupportedParam` outside the roots and `.localFileNotFound` for a missing or
    /// unreadable file inside them.
    public func open(_ source: String) throws(TrefoilError) -> (bytes: FileChunks, name: String) {
        let path = Self.path(of: source)
        guard path.hasPrefix("/") else { throw .badParam("invalid [file]: \(source) is not an absolute path") }
        guard let resolved = Self.realPath(path) else {
            // Judge the missing path lexically so that "not found" never leaks from outside the roots.
            let lexical = URL(fileURLWithPath: path).standardizedFileURL.path
            guard contains(lexical) else { throw refusal(source) }
            throw .localFileNotFound("no such file: \(path)")
        }
        guard contains(resolved) else { throw refusal(source) }
        return (try FileChunks(path: resolved), (resolved as NSString).lastPathComponent)
    }

    private func contains(_ path: String) -> Bool {
        roots.contains { root in root == "/" || path == root || path.hasPrefix(root + "/") }
    }

    private func refusal(_ source: String) -> TrefoilError {
        if roots.isEmpty {
            return .unsupportedParam(
                "local paths are disabled: set upload.local_roots to the folders uploads may read from")
        }
        return .unsupportedParam(
            "\(source) is outside upload.local_roots (\(roots.joined(separator: ", "))); add its folder there to allow it"
        )
    }

    /// The path of a `file://` URL (percent-decoded), or the text itself.
    static func path(of source: String) -> String {
        guard source.hasPrefix("file://") else { return source }
        let rest = String(source.dropFirst("file://".count))
        // file:///abs/path and file://localhost/abs/path both name /abs/path.
        let path = rest.hasPrefix("localhost/") ? String(rest.dropFirst("localhost".count)) : rest
        return path.removingPercentEncoding ?? path
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

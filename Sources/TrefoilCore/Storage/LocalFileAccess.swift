import CTrefoilLinux
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads local files for uploads, only below the configured roots (`upload.local_roots`).
///
/// A path names a root (as configured or by its real path) and a rest, resolved relative to the root's
/// descriptor and never above it: `..` may not climb out of the root, and a symbolic link is followed only
/// when it is relative and stays inside the root (an absolute link, or one into another root, is refused;
/// with `/` as a root everything is allowed). Checking a path and then opening it again by name would let a
/// rename in between (a directory swapped for a link) lead outside. The file read is the descriptor that was
/// checked: a regular file with one link (a hard link inside a root may name a file outside it). A path
/// outside every root is refused without saying whether it exists.
public struct LocalFileAccess: Sendable {
    /// The roots as real paths; roots that do not exist are left out.
    public let roots: [String]
    /// How a client may spell each root: as configured and by its real path, as path components.
    private let spellings: [(components: [Substring], root: String)]
    let resolution: Resolution

    /// Who resolves the path below the root.
    enum Resolution: Sendable {
        /// `openat2(2)` with `RESOLVE_BENEATH`, or `walk` where the kernel has none (before Linux 5.6).
        case kernel
        /// One component at a time with `O_NOFOLLOW`, links followed by the same rules in user space.
        case walk
    }

    public init(roots: [String]) {
        self.init(roots: roots, resolution: .kernel)
    }

    init(roots configured: [String], resolution: Resolution) {
        var roots: [String] = []
        var spellings: [(components: [Substring], root: String)] = []
        for spelling in configured {
            guard let real = Self.realPath(spelling) else { continue }
            if !roots.contains(real) { roots.append(real) }
            for name in Set([spelling, real]) { spellings.append((Self.components(name), real)) }
        }
        // The outermost root decides: anything below it is allowed, however deep another root sits in it.
        spellings.sort { $0.components.count < $1.components.count }
        self.roots = roots
        self.spellings = spellings
        self.resolution = resolution
    }

    /// Opens a `file://` URL or an absolute path for reading; returns its bytes and file name.
    ///
    /// Throws `.unsupportedParam` outside the roots (also through `..`, a link or a second hard link), and
    /// `.localFileNotFound` for a missing or unreadable file inside them, or one that is not a regular file (a
    /// directory, FIFO or device). The opening runs off the cooperative pool.
    public func open(_ source: String) async throws(TrefoilError) -> (bytes: FileChunks, name: String) {
        let path = Self.path(of: source)
        guard path.hasPrefix("/") else { throw .invalid(.localPath, "\(source) is not an absolute path") }
        // The system sees a path only up to its first NUL: it would open a file other than the one named.
        guard !path.utf8.contains(0) else { throw .invalid(.localPath, "a path cannot contain a NUL") }
        let requested = Self.components(path)
        guard
            let (prefix, root) = spellings.first(where: { requested.starts(with: $0.components) })
        else { throw refusal(source) }
        let rest = requested.dropFirst(prefix.count).joined(separator: "/")
        // A trailing slash (or /.) asks for a directory: keep it, so that a file named so is not found.
        let relative = rest.isEmpty ? "." : path.hasSuffix("/") || path.hasSuffix("/.") ? rest + "/" : rest
        let fd = try await DispatchQueue.blockingCalls.perform {
            () throws(TrefoilError) -> Int32 in
            try openChecked(relative, below: root, path: path, source: source)
        }
        return (FileChunks(descriptor: fd, ownsDescriptor: true), (path as NSString).lastPathComponent)
    }

    /// Opens `relative` below `root` without blocking (a FIFO would wait for a writer), and returns the
    /// descriptor, blocking again, once it has proved to be a regular file with one link.
    private func openChecked(_ relative: String, below root: String, path: String, source: String)
        throws(TrefoilError) -> Int32
    {
        let rootFD = Glibc.open(root, CTrefoilOPath | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw .localFileNotFound("no such file: \(path)") }
        defer { close(rootFD) }
        let flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
        let confinement = Confinement(root: root)
        let opened =
            switch resolution {
            case .kernel:
                Self.openBeneath(rootFD, relative, flags: flags, confinement)
                    ?? Self.walk(rootFD, relative, flags: flags, confinement)
            case .walk: Self.walk(rootFD, relative, flags: flags, confinement)
            }
        let fd: Int32
        switch opened {
        case .success(let descriptor): fd = descriptor
        case .failure(let error) where error.code == EXDEV: throw escape(source)
        case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR:
            throw .localFileNotFound("no such file: \(path)")
        case .failure(let error): throw .localFileNotFound("cannot read \(path): \(errnoText(error.code))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let reason = errnoText()
            close(fd)
            throw .localFileNotFound("cannot read \(path): \(reason)")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .localFileNotFound("\(path) is not a regular file")
        }
        guard status.st_nlink == 1 else {
            close(fd)
            throw .unsupportedParam(
                "\(source) has \(status.st_nlink) hard links and one of them may lie outside upload.local_roots;"
                    + " only files with a single link are read")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
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

    private func escape(_ source: String) -> TrefoilError {
        .unsupportedParam(
            "\(source) leads out of upload.local_roots (\(roots.joined(separator: ", "))) by .. or a symbolic link;"
                + " links inside a root must be relative and stay inside it")
    }

    /// The path of a `file://` URL (percent-decoded), or the text itself.
    static func path(of source: String) -> String {
        guard source.hasPrefix("file://") else { return source }
        let rest = String(source.dropFirst("file://".count))
        // file:///abs/path and file://localhost/abs/path both name /abs/path.
        let path = rest.hasPrefix("localhost/") ? String(rest.dropFirst("localhost".count)) : rest
        return path.removingPercentEncoding ?? path
    }

    /// The names along an absolute path; `//` and `/./` name nothing.
    private static func components(_ path: String) -> [Substring] {
        path.split(separator: "/").filter { $0 != "." }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

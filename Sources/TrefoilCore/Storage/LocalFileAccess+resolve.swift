import CTrefoilLinux

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `errno` of a failed open.
struct OpenFailure: Error {
    let code: Int32
}

/// How a path below a root is resolved: confined beneath the root, or, for the root `/`, as usual.
enum Confinement {
    /// `..` may not climb out of the root and a link must be relative and stay inside (`RESOLVE_BENEATH`).
    case beneath
    /// Absolute links start again at the root and `..` stops there (`RESOLVE_IN_ROOT`): with `/` as the root,
    /// exactly the usual rules, so that a deployer who allows everything gets everything.
    case inRoot

    init(root: String) { self = root == "/" ? .inRoot : .beneath }
}

extension LocalFileAccess {
    /// `openat2(2)` of `relative` below `rootFD`, or nil where the kernel has no `openat2` (before Linux 5.6, or
    /// behind a seccomp filter that refuses it), so that the caller walks instead.
    static func openBeneath(_ rootFD: Int32, _ relative: String, flags: Int32, _ confinement: Confinement)
        -> Result<Int32, OpenFailure>?
    {
        let scope = confinement == .beneath ? CTREFOIL_RESOLVE_BENEATH : CTREFOIL_RESOLVE_IN_ROOT
        let resolve = UInt64(scope | CTREFOIL_RESOLVE_NO_MAGICLINKS)
        // EAGAIN: a rename or mount raced a `..` and the kernel could not prove the result stays below the root.
        for _ in 0..<8 {
            let fd = CTrefoil_openat2(rootFD, relative, flags, resolve)
            if fd >= 0 { return .success(fd) }
            switch errno {
            case EINTR, EAGAIN: continue
            case ENOSYS, EPERM: return nil
            case let code: return .failure(OpenFailure(code: code))
            }
        }
        return .failure(OpenFailure(code: EAGAIN))
    }

    /// Resolves `relative` below `rootFD` one name at a time, by `openBeneath`'s rules, for kernels without
    /// `openat2`.
    ///
    /// Each name is looked up with `O_NOFOLLOW` relative to the directory descriptor reached so far, so a name
    /// swapped for a link meanwhile fails instead of being followed; `..` returns to the previous descriptor
    /// and never above the root; a link is read and its text resolved from where it sits, 40 links at most as
    /// in the kernel.
    static func walk(_ rootFD: Int32, _ relative: String, flags: Int32, _ confinement: Confinement)
        -> Result<Int32, OpenFailure>
    {
        var directories: [Int32] = []
        defer { for fd in directories { close(fd) } }
        // Names still to resolve, the next one last.
        var pending = Array(relative.split(separator: "/", omittingEmptySubsequences: false).reversed())
        var links = 0
        while let name = pending.popLast() {
            let current = directories.last ?? rootFD
            let last = pending.isEmpty
            switch name {
            case "", ".":
                // A trailing slash or dot names the directory itself.
                if last { return openFinal(current, ".", flags) }
            case "..":
                if let child = directories.popLast() {
                    close(child)
                } else if confinement == .beneath {
                    return .failure(OpenFailure(code: EXDEV))
                }
                if last { return openFinal(directories.last ?? rootFD, ".", flags) }
            default:
                var status = stat()
                guard fstatat(current, String(name), &status, AT_SYMLINK_NOFOLLOW) == 0 else {
                    return .failure(OpenFailure(code: errno))
                }
                if status.st_mode & S_IFMT == S_IFLNK {
                    links += 1
                    guard links <= 40 else { return .failure(OpenFailure(code: ELOOP)) }
                    guard let target = readLink(current, String(name)) else {
                        return .failure(OpenFailure(code: errno))
                    }
                    if target.hasPrefix("/") {
                        guard confinement == .inRoot else { return .failure(OpenFailure(code: EXDEV)) }
                        for fd in directories { close(fd) }
                        directories.removeAll()
                    }
                    pending += target.split(separator: "/", omittingEmptySubsequences: false).reversed()
                } else if last {
                    return openFinal(current, String(name), flags)
                } else {
                    let fd = openat(current, String(name), CTrefoilOPath | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard fd >= 0 else { return .failure(OpenFailure(code: errno)) }
                    directories.append(fd)
                }
            }
        }
        return openFinal(directories.last ?? rootFD, ".", flags)
    }

    private static func openFinal(_ directory: Int32, _ name: String, _ flags: Int32) -> Result<Int32, OpenFailure> {
        while true {
            let fd = openat(directory, name, flags | O_NOFOLLOW)
            if fd >= 0 { return .success(fd) }
            if errno != EINTR { return .failure(OpenFailure(code: errno)) }
        }
    }

    /// The text of the link `name` in `directory`, or nil with `errno` set.
    private static func readLink(_ directory: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

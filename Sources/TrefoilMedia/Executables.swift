import Foundation

#if canImport(Glibc)
    import Glibc
#endif

enum Executables {
    /// `name`'s path when it is executable: as given when it holds a slash, else the first match on PATH.
    static func find(_ name: String) -> String? {
        guard !name.contains("/") else { return isExecutable(name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { "\($0)/\(name)" }.first(where: isExecutable)
    }

    private static func isExecutable(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }
}

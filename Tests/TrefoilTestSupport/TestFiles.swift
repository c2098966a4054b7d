import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A new, empty directory under the system's temporary directory, unique to the caller, removed with everything in
/// it when the test process exits (a test that needs its files gone sooner removes them itself).
///
/// `prefix` names what made it, for whoever finds one left by a crashed run.
public func makeTempDirectory(prefix: String = "trefoil-test") -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    TempDirectories.shared.add(path)
    return path
}

/// The bytes of the file at `path`, or nil when it cannot be read.
public func readFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

/// The directories `makeTempDirectory` made, for removal at exit. Each full test run made several hundred, and
/// nothing removed them: a shared machine's /tmp filled up run after run.
final class TempDirectories: Sendable {
    static let shared: TempDirectories = {
        let directories = TempDirectories()
        // `atexit` takes a C function: no captures, so it reaches the registry through `shared`.
        atexit { TempDirectories.shared.removeAll() }
        return directories
    }()

    private let paths = Mutex<[String]>([])

    func add(_ path: String) { paths.withLock { $0.append(path) } }

    func removeAll() {
        let all = paths.withLock { paths in
            defer { paths = [] }
            return paths
        }
        for path in all { try? FileManager.default.removeItem(atPath: path) }
    }
}

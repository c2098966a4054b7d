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

/// The path of a fixture: a folder or file under `Tests/Fixtures`, shared by every test target.
public func fixturePath(_ name: String) -> String {
    // Tests/TrefoilTestSupport/this file → Tests/Fixtures.
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

/// Copies the fixture `name` to `destination` (which must not exist yet), so that a test may change the copy.
public func copyFixture(_ name: String, to destination: String) throws {
    try FileManager.default.createDirectory(
        atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: fixturePath(name), toPath: destination)
}

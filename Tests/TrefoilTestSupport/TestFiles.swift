import Foundation

/// A new, empty directory under the system's temporary directory, unique to the caller.
public func makeTempDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("trefoil-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The bytes of the file at `path`, or nil when it cannot be read.
public func readFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
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

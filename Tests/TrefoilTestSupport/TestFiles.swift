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

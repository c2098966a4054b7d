import Foundation

/// The bench's temp directory under /tmp: test files, the server's data directories, configs and
/// logs. Removed at the end of the run unless asked to keep it.
struct Workspace: Sendable {
    let root: String

    var filesDir: String { root + "/files" }

    static func create() throws -> Workspace {
        let root = "/tmp/trefoil-bench-\(UUID().uuidString.prefix(8).lowercased())"
        for folder in [root, root + "/files"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        return Workspace(root: root)
    }

    /// A test file of `bytes` random bytes in `files/`, created once and reused.
    func testFile(_ name: String, bytes: Int64, seed: UInt64) throws -> String {
        let path = "\(filesDir)/\(name)"
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64, size == bytes {
            return path
        }
        try RandomBytes.makeFile(at: path, count: bytes, seed: seed)
        return path
    }

    func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    func removeAll() { try? FileManager.default.removeItem(atPath: root) }

    /// Flushes dirty pages to disk so that one scenario's write-back never lands in the next one's
    /// measurement (the server fsyncs every upload).
    static func sync() async {
        _ = try? await ChildProcess.run("sync", [])
    }
}

import Foundation
import Testing

@testable import TrefoilCore

@Suite("Local file access")
struct LocalFileAccessTests {
    let base = makeTempDirectory()

    func write(_ relative: String, _ text: String) throws -> String {
        let path = base + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ chunks: FileChunks) async throws -> String {
        var bytes: [UInt8] = []
        for try await chunk in chunks { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a file inside a root opens by path and by file:// URL")
    func insideRoot() async throws {
        let path = try write("root/a b.txt", "inside")
        let access = LocalFileAccess(roots: [base + "/root"])
        let (bytes, name) = try access.open(path)
        #expect(name == "a b.txt")
        #expect(try await read(bytes) == "inside")
        let (viaURL, _) = try access.open("file://" + path.replacingOccurrences(of: " ", with: "%20"))
        #expect(try await read(viaURL) == "inside")
    }

    @Test("a path outside the roots is UNSUPPORTED_PARAM naming the setting, also through .. and symlinks")
    func outsideRoots() throws {
        let secret = try write("secret.txt", "secret")
        _ = try write("root/ok.txt", "ok")
        try FileManager.default.createSymbolicLink(atPath: base + "/root/link", withDestinationPath: secret)
        let access = LocalFileAccess(roots: [base + "/root"])
        for path in [secret, base + "/root/../secret.txt", base + "/root/link", base + "/rootx/ok.txt"] {
            #expect(throws: TrefoilError.self) { try access.open(path) }
            do {
                _ = try access.open(path)
            } catch {
                #expect(error.key == "UNSUPPORTED_PARAM")
                #expect(error.message.contains("upload.local_roots"))
            }
        }
    }

    @Test("a missing file is LOCAL_FILE_NOT_FOUND inside the roots and UNSUPPORTED_PARAM outside")
    func missing() throws {
        let access = LocalFileAccess(roots: [base])
        #expect(throws: TrefoilError.localFileNotFound("no such file: \(base)/nope")) {
            try access.open(base + "/nope")
        }
        do {
            _ = try access.open("/definitely/not/here")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.key == "UNSUPPORTED_PARAM")
        }
    }

    @Test("with no roots every local path is refused")
    func noRoots() throws {
        let path = try write("x.txt", "x")
        #expect(
            throws: TrefoilError.unsupportedParam(
                "local paths are disabled: set upload.local_roots to the folders uploads may read from")
        ) { try LocalFileAccess(roots: []).open(path) }
    }

    @Test("a directory is not a file")
    func directory() throws {
        let access = LocalFileAccess(roots: [base])
        #expect(throws: TrefoilError.localFileNotFound("\(base) is not a regular file")) { try access.open(base) }
    }
}

@Suite("Download cache")
struct DownloadCacheTests {
    @Test("downloads land in their own folder under cache/, over-limit ones leave nothing, old ones are pruned")
    func storeAndPrune() async throws {
        let directory = DataDirectory(path: makeTempDirectory())
        defer { try? FileManager.default.removeItem(at: directory.root) }
        try directory.create()
        let cache = DownloadCache(directory: directory, maxBytes: 10)
        let first = try await cache.store(chunks(Array("0123456789".utf8)), name: "a/b.txt")
        #expect(first.hasPrefix(directory.cachePath + "/"))
        #expect(first.hasSuffix("/a_b.txt"))
        #expect(readFile(first) == Array("0123456789".utf8))
        await #expect(throws: TrefoilError.fileTooLarge) {
            _ = try await cache.store(chunks(Array("0123456789X".utf8)), name: "x")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.cachePath).count == 1)
        #expect(cache.prune(olderThan: Int64(Date().timeIntervalSince1970) - 60) == 0)
        #expect(cache.prune(olderThan: Int64(Date().timeIntervalSince1970) + 60) == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.cachePath).isEmpty)
    }
}

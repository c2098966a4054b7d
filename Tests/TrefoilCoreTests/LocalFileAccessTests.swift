import CTrefoilLinux
import Foundation
import Synchronization
import Testing
import TrefoilTestSupport

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

    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: base + "/" + relative, withDestinationPath: target)
    }

    func read(_ chunks: FileChunks) async throws -> String {
        var bytes: [UInt8] = []
        for try await chunk in chunks { bytes += chunk }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of `path` read through `access`, or the key of its refusal.
    func outcome(_ access: LocalFileAccess, _ path: String) async -> String {
        do {
            return try await read(access.open(path).bytes)
        } catch {
            return (error as? TrefoilError)?.key ?? "\(error)"
        }
    }

    @Test(
        "a file inside a root opens by path and by file:// URL",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func insideRoot(resolution: LocalFileAccess.Resolution) async throws {
        let path = try write("root/a b.txt", "inside")
        let access = LocalFileAccess(roots: [base + "/root"], resolution: resolution)
        let (bytes, name) = try await access.open(path)
        #expect(name == "a b.txt")
        #expect(try await read(bytes) == "inside")
        let (viaURL, _) = try await access.open("file://" + path.replacingOccurrences(of: " ", with: "%20"))
        #expect(try await read(viaURL) == "inside")
    }

    @Test(
        "a path outside the roots is UNSUPPORTED_PARAM naming the setting, also through .. and symlinks",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func outsideRoots(resolution: LocalFileAccess.Resolution) async throws {
        let secret = try write("secret.txt", "secret")
        _ = try write("root/ok.txt", "ok")
        try link("root/link", to: secret)
        try link("root/relative", to: "../secret.txt")
        try link("root/missing", to: "../nothing-here.txt")
        let access = LocalFileAccess(roots: [base + "/root"], resolution: resolution)
        for path in [
            secret, base + "/root/../secret.txt", base + "/root/link", base + "/root/relative",
            base + "/root/missing", base + "/rootx/ok.txt",
        ] {
            do {
                _ = try await access.open(path)
                Issue.record("\(path) was opened")
            } catch {
                #expect(error.key == "UNSUPPORTED_PARAM", "\(path)")
                #expect(error.message.contains("upload.local_roots"), "\(path)")
            }
        }
    }

    @Test(
        "links inside a root are followed while relative and inside it; absolute ones and ones into another root are refused",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func linksInsideRoot(resolution: LocalFileAccess.Resolution) async throws {
        _ = try write("root/2024/report.txt", "report")
        _ = try write("other/elsewhere.txt", "elsewhere")
        try link("root/latest", to: "2024/report.txt")
        try link("root/year", to: "2024")
        try link("root/2024/up", to: "../2024/report.txt")
        try link("root/absolute", to: base + "/root/2024/report.txt")
        try link("root/across", to: "../other/elsewhere.txt")
        let access = LocalFileAccess(roots: [base + "/root", base + "/other"], resolution: resolution)
        #expect(try await access.open(base + "/root/latest").name == "latest")
        for path in ["latest", "year/report.txt", "2024/up", "year/../latest", "./2024//report.txt"] {
            #expect(await outcome(access, base + "/root/" + path) == "report", "\(path)")
        }
        #expect(await outcome(access, base + "/root/absolute") == "UNSUPPORTED_PARAM")
        #expect(await outcome(access, base + "/root/across") == "UNSUPPORTED_PARAM")
        #expect(await outcome(access, base + "/root/latest/") == "LOCAL_FILE_NOT_FOUND")
        // The outermost root judges: below it, links may go anywhere inside it.
        let outer = LocalFileAccess(roots: [base, base + "/root"], resolution: resolution)
        #expect(await outcome(outer, base + "/root/across") == "elsewhere")
        // With / as a root everything is allowed, absolute links too, as without roots.
        let everything = LocalFileAccess(roots: ["/"], resolution: resolution)
        #expect(await outcome(everything, base + "/root/absolute") == "report")
    }

    @Test(
        "a missing file is LOCAL_FILE_NOT_FOUND inside the roots and UNSUPPORTED_PARAM outside",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func missing(resolution: LocalFileAccess.Resolution) async throws {
        let access = LocalFileAccess(roots: [base], resolution: resolution)
        await #expect(throws: TrefoilError.localFileNotFound("no such file: \(base)/nope")) {
            try await access.open(base + "/nope")
        }
        await #expect(throws: TrefoilError.localFileNotFound("no such file: \(base)/nope/deeper")) {
            try await access.open(base + "/nope/deeper")
        }
        do {
            _ = try await access.open("/definitely/not/here")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.key == "UNSUPPORTED_PARAM")
        }
    }

    @Test("a path with a NUL is BAD_PARAM, not the file named by the part before the NUL")
    func nul() async throws {
        let path = try write("root/a.txt", "a")
        let access = LocalFileAccess(roots: [base + "/root"])
        for source in [path + "\u{0}.png", "file://" + path + "%00.png"] {
            await #expect(throws: TrefoilError.invalid(.localPath, "a path cannot contain a NUL")) {
                try await access.open(source)
            }
        }
    }

    @Test("with no roots every local path is refused")
    func noRoots() async throws {
        let path = try write("x.txt", "x")
        await #expect(
            throws: TrefoilError.unsupportedParam(
                "local paths are disabled: set upload.local_roots to the folders uploads may read from")
        ) { try await LocalFileAccess(roots: []).open(path) }
    }

    @Test("a directory is not a file", arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func directory(resolution: LocalFileAccess.Resolution) async throws {
        let access = LocalFileAccess(roots: [base], resolution: resolution)
        await #expect(throws: TrefoilError.localFileNotFound("\(base) is not a regular file")) {
            try await access.open(base)
        }
        _ = try write("sub/x.txt", "x")
        await #expect(throws: TrefoilError.localFileNotFound("\(base)/sub/.. is not a regular file")) {
            try await access.open(base + "/sub/..")
        }
    }

    @Test(
        "a hard link inside a root to a file outside it is UNSUPPORTED_PARAM, and so is any file with two links",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func hardLinks(resolution: LocalFileAccess.Resolution) async throws {
        let secret = try write("outside/secret.txt", "secret")
        _ = try write("root/.keep", "")
        try FileManager.default.linkItem(atPath: secret, toPath: base + "/root/secret.txt")
        let access = LocalFileAccess(roots: [base + "/root"], resolution: resolution)
        let path = base + "/root/secret.txt"
        await #expect(
            throws: TrefoilError.unsupportedParam(
                "\(path) has 2 hard links and one of them may lie outside upload.local_roots;"
                    + " only files with a single link are read")
        ) { try await access.open(path) }
    }

    @Test(
        "a directory swapped with a link to outside (RENAME_EXCHANGE) while uploads open files never yields an outside file",
        arguments: [LocalFileAccess.Resolution.kernel, .walk])
    func swappedDirectory(resolution: LocalFileAccess.Resolution) async throws {
        _ = try write("root/dir/file.txt", "inside")
        _ = try write("outside/file.txt", "OUTSIDE")
        try link("root/swap", to: base + "/outside")
        let access = LocalFileAccess(roots: [base + "/root"], resolution: resolution)
        let racer = Exchanger(base + "/root/dir", base + "/root/swap")
        var seen: [String: Int] = [:]
        for _ in 0..<300 { seen[await outcome(access, base + "/root/dir/file.txt"), default: 0] += 1 }
        let swaps = racer.stop()
        #expect(swaps > 300, "the racing thread exchanged the names only \(swaps) times")
        #expect(seen["OUTSIDE"] == nil, "\(seen)")
        #expect(seen["inside", default: 0] > 0, "\(seen)")
    }
}

/// A thread that exchanges two names with `renameat2(RENAME_EXCHANGE)` as fast as it can until stopped.
final class Exchanger: Sendable {
    private let running = Atomic(true)
    private let swaps = Atomic(0)
    private let done = DispatchSemaphore(value: 0)

    init(_ first: String, _ second: String) {
        Thread.detachNewThread { [self] in
            while running.load(ordering: .relaxed) {
                if CTrefoil_renameat2(AT_FDCWD, first, AT_FDCWD, second, UInt32(CTREFOIL_RENAME_EXCHANGE)) == 0 {
                    swaps.add(1, ordering: .relaxed)
                }
            }
            done.signal()
        }
    }

    /// Stops the thread and returns how many exchanges it made.
    func stop() -> Int {
        running.store(false, ordering: .relaxed)
        done.wait()
        return swaps.load(ordering: .relaxed)
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

import Foundation
import Testing
import TrefoilCore
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

@Suite("A killed writer process", .timeLimit(.minutes(3)))
struct ProcessCrashTests {
    @Test("SIGKILL while streaming a large file loses nothing committed and leaves no trace after reopening")
    func killWhileWriting() async throws {
        let store = try TempStoreConfig()
        defer { store.remove() }
        try await importCommittedFile(store)

        let (process, writer) = try startImportFromStdin(store, group: 1, name: "big.bin")
        // Feed 24 MiB, then wait until the child has written at least 16 MiB of it to tmp/.
        try await offCooperativePool {
            let chunk = Data(repeating: 0x5a, count: 1 << 20)
            for _ in 0..<24 { try writer.write(contentsOf: chunk) }
        }
        let tmp = store.dataDir + "/tmp"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let sizes =
                (try? FileManager.default.contentsOfDirectory(atPath: tmp))?.compactMap {
                    (try? FileManager.default.attributesOfItem(atPath: tmp + "/" + $0))?[.size] as? Int
                } ?? []
            if sizes.contains(where: { $0 >= 16 << 20 }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: tmp)).isEmpty, "the child should be mid-write")
        process.send(SIGKILL)
        try await offCooperativePool { process.waitUntilExit() }
        #expect(process.wasSignaled)

        let directory = DataDirectory(path: store.dataDir)
        let lock = try directory.lock()  // the dead child's lock is gone with it
        defer { withExtendedLifetime(lock) {} }
        let tree = try FileTree.open(directory: directory, settings: .init())
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        let listing = try await tree.list(in: "1")
        #expect(listing.files.map(\.name) == ["small.txt"])
        let file = try #require(listing.files.first)
        #expect(try await tree.bytes(of: file, in: 0..<file.size) == Data("committed before the crash".utf8))
        #expect(try await tree.checkConsistency(repair: false).problems == [])
        #expect(try await tree.fileSystemInfo(of: .group("1")).fileCount == 1)
    }

    @Test("trefoil fsck reports a store built by imports clean, and a broken one with exit 1")
    func fsckCommand() async throws {
        let store = try TempStoreConfig()
        defer { store.remove() }
        let source = store.root + "/a.txt"
        try "abc".write(toFile: source, atomically: true, encoding: .utf8)
        #expect(try await runTrefoil(["import", "--config", store.configPath, "--group", "5", source]).status == 0)
        let clean = try await runTrefoil(["fsck", "--config", store.configPath])
        #expect(clean.status == 0)
        #expect(clean.output.hasSuffix("data: clean\n"))

        #expect(FileManager.default.createFile(atPath: store.dataDir + "/tmp/stray.part", contents: Data("x".utf8)))
        let broken = try await runTrefoil(["fsck", "--config", store.configPath])
        #expect(broken.status == 1)
        #expect(broken.output == "temp file tmp/stray.part left behind\n")
        let repaired = try await runTrefoil(["fsck", "--repair", "--config", store.configPath])
        #expect(repaired.status == 0, "\(repaired.output)")
        #expect(try await runTrefoil(["fsck", "--config", store.configPath]).status == 0)
    }

    @Test("trefoil check-config accepts the example and lists every problem of a bad file")
    func checkConfigCommand() async throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config.example.json").path
        let good = try await runTrefoil(["check-config", example])
        #expect(good.status == 0)
        let store = try TempStoreConfig()
        defer { store.remove() }
        let bad = store.root + "/bad.json"
        try #"{"server": {"port": 70000}, "nope": true}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try await runTrefoil(["check-config", bad])
        #expect(result.status == 1)
        #expect(result.output.contains("\(bad): server.port: 70000 is out of range (allowed: 1 to 65535)"))
        #expect(result.output.contains("\(bad): nope: unknown key"))
    }
}

import Foundation
import Testing
import TrefoilCore
import TrefoilTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `trefoil serve` as a deployer runs it, against clients that hold connections and never finish.
@Suite("trefoil serve against clients that never finish", .timeLimit(.minutes(3)))
struct ServeProcessTests {
    static func uploadHead(_ name: String, length: Int) -> [UInt8] {
        Array(
            ("PUT /upload_group_file?group_id=7&name=\(name) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Length: \(length)\r\nConnection: close\r\n\r\n").utf8)
    }

    @Test(
        "SIGTERM ends within server.shutdown_timeout_ms despite a silent connection and an endless upload; an upload that finishes within it is answered, and every committed file is kept"
    )
    func shutdownIsBounded() async throws {
        let server = try await ServeProcess.start(server: #""shutdown_timeout_ms": 3000"#)
        defer { server.store.remove() }
        let port = server.port
        let early = pseudoRandomBytes(1_000, seed: 1)
        let committed = try await offCooperativePool { () -> String in
            let fd = try loopbackSocket(port: port)
            defer { close(fd) }
            try sendAll(fd, Self.uploadHead("early.bin", length: early.count) + early)
            return String(decoding: readFromSocket(fd), as: UTF8.self)
        }
        #expect(committed.hasPrefix("HTTP/1.1 200"), "\(committed.prefix(300))")

        let silent = try loopbackSocket(port: port)
        let endless = try loopbackSocket(port: port)
        let finishing = try loopbackSocket(port: port)
        defer {
            close(silent)
            close(endless)
            close(finishing)
        }
        try sendAll(endless, Self.uploadHead("endless.bin", length: 100_000_000))
        async let endlessClosed = offCooperativePool {
            trickle(endless, [UInt8](repeating: 0x61, count: 100), every: .milliseconds(100), for: .seconds(60))
        }
        let late = pseudoRandomBytes(300_000, seed: 2)
        try sendAll(finishing, Self.uploadHead("late.bin", length: late.count) + late[..<100_000])
        try await Task.sleep(for: .milliseconds(300))

        let signalled = ContinuousClock.now
        server.terminate()
        try await Task.sleep(for: .milliseconds(300))
        let lateAnswer = try await offCooperativePool { () -> String in
            try sendAll(finishing, Array(late[100_000...]))
            return String(decoding: readFromSocket(finishing), as: UTF8.self)
        }
        let status = try await server.waitForExit(within: .seconds(30))
        let took = ContinuousClock.now - signalled
        #expect(status == 0, "\(server.log)")
        // The bound plus a margin for a busy machine; without a bound this never ends.
        #expect(took < .seconds(15), "\(took)")
        #expect(try await endlessClosed)
        #expect(lateAnswer.hasPrefix("HTTP/1.1 200"), "\(lateAnswer.prefix(300))")
        #expect(server.log.contains("trefoil stopped"), "\(server.log)")

        let directory = DataDirectory(path: server.store.dataDir)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let tree = try FileTree.open(directory: directory, settings: .init())
        let listing = try await tree.list(in: "7")
        #expect(Set(listing.files.map(\.name)) == ["early.bin", "late.bin"])
        #expect(try await tree.checkConsistency(repair: false).problems == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.store.dataDir + "/tmp").isEmpty)
    }

    @Test("over server.max_connections a new connection waits until one closes, and the log says so once a minute")
    func connectionLimit() async throws {
        let server = try await ServeProcess.start(server: #""max_connections": 2"#)
        defer { server.store.remove() }
        let port = server.port
        for round in 1...2 {
            // Two kept-alive connections, each surely accepted: each has had an answer. (NIO accepts up to four
            // connections a wake-up, so connections opened in one burst may pass the limit by up to three.)
            let first = try await Self.keptAlive(port: port)
            let second = try await Self.keptAlive(port: port)
            defer { close(second) }
            // Accepted by the kernel into the listen backlog; the server takes it once a connection closes.
            let waiting = try loopbackSocket(port: port)
            defer { close(waiting) }
            try sendAll(waiting, Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            let before = try await offCooperativePool { readSocket(waiting, silence: 2) }
            #expect(before.received.isEmpty && !before.closed, "round \(round)")
            close(first)
            let after = try await offCooperativePool { readSocket(waiting, silence: 20) }
            #expect(String(decoding: after.received, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "round \(round)")
        }
        let warnings = server.log.components(separatedBy: "connection limit reached").count - 1
        #expect(warnings == 1, "\(server.log)")
        #expect(server.log.contains("max_connections=2"), "\(server.log)")
        server.terminate()
        #expect(try await server.waitForExit(within: .seconds(30)) == 0)
    }

    /// A connection that has had one answer and stays open.
    static func keptAlive(port: Int) async throws -> Int32 {
        let fd = try loopbackSocket(port: port)
        try sendAll(fd, Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let answer = try await offCooperativePool { readSocket(fd, silence: 20) { $0.ends(with: Array("ok".utf8)) } }
        #expect(String(decoding: answer.received, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        return fd
    }

    @Test("trefoil check-config refuses the time settings that crashed the first upload")
    func checkConfigRefusesOverflowingTimes() async throws {
        let store = try TempStoreConfig(
            extra:
                #""download": {"url_ttl_seconds": 9223372036854775807}, "retention": {"group_file_days": 9223372036854775807}"#
        )
        defer { store.remove() }
        let result = try await runTrefoil(["check-config", store.configPath])
        #expect(result.status == 1)
        #expect(
            result.output
                == "\(store.configPath): download.url_ttl_seconds: 9223372036854775807 is out of range (allowed: 1 to 315360000)\n"
                + "\(store.configPath): retention.group_file_days: 9223372036854775807 is out of range (allowed: 0 to 36500)\n"
        )
    }
}

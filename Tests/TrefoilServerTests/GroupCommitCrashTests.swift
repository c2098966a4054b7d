import Foundation
import Synchronization
import Testing
import TrefoilCore
import TrefoilJSON
import TrefoilTestSupport

@Suite("A killed server during many small uploads", .timeLimit(.minutes(3)))
struct GroupCommitCrashTests {
    /// What the server answered `ok` for: file id → the bytes sent.
    final class Answered: Sendable {
        private let files = Mutex<[String: [UInt8]]>([:])
        var count: Int { files.withLock { $0.count } }
        var all: [String: [UInt8]] { files.withLock { $0 } }
        func record(_ id: String, _ bytes: [UInt8]) { files.withLock { $0[id] = bytes } }
    }

    @Test(
        "SIGKILL during concurrent small uploads: every answered upload is in the reopened store with its exact bytes, nothing partial is visible, fsck is clean"
    )
    func killDuringConcurrentSmallUploads() async throws {
        let server = try await ServeProcess.start()
        defer { server.store.remove() }
        let answered = Answered()
        let port = server.port
        // Eight connections, one upload in flight each: commits that finish together share transactions. Every
        // other file is above the 16 KiB kept in the database, so both kinds of blob are under way at the kill.
        let clients = (0..<8).map { client in
            Task { try await offCooperativePool { try Self.upload(port: port, client: client, into: answered) } }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while answered.count < 80, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await server.killNow()
        for client in clients { _ = await client.result }
        let sent = answered.all
        #expect(sent.count >= 80)

        let directory = DataDirectory(path: server.store.dataDir)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let tree = try FileTree.open(directory: directory, settings: .init(inlineBlobBytes: 16_384))
        for (id, bytes) in sent {
            let file = try await tree.file(FileID(id))
            #expect(try await tree.bytes(of: file, in: 0..<file.size) == Data(bytes))
        }
        // Uploads committed after their answer could not go out may be there too, whole: the deep check reads every
        // blob back and hashes it.
        #expect(try await tree.list(in: "77").files.count >= sent.count)
        #expect(try await tree.checkConsistency(repair: false, deep: true).problems == [])
    }

    /// Uploads distinct files one at a time until the connection ends; records each one answered `ok`.
    private static func upload(port: Int, client: Int, into answered: Answered) throws {
        let socket = try RawWebSocket(port: port)
        guard try socket.upgrade("/api", ["Upgrade: websocket"]).status == 101 else { return }
        for index in 0... {
            let bytes = pseudoRandomBytes(index % 2 == 0 ? 4_096 : 20_000, seed: UInt64(client * 1_000_000 + index))
            let request =
                #"{"action":"upload_group_file","params":{"group_id":77,"name":"c\#(client)-\#(index).bin","#
                + #""file":"base64://\#(Data(bytes).base64EncodedString())"},"echo":"\#(index)"}"#
            do {
                try socket.sendFrame(Array(request.utf8))
            } catch {
                return
            }
            guard let frame = socket.readFrame(), frame.opcode == 0x1 else { return }
            let answer = JSONParser.parse(frame.payload)
            guard answer?["status"]?.stringValue == "ok", let id = answer?["data"]?["file_id"]?.stringValue else {
                return
            }
            answered.record(id, bytes)
        }
    }
}

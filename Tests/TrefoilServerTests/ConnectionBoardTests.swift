import Foundation
import Testing
import TrefoilCore
import TrefoilFaceKit

/// The board the console and `/metrics` read: what the transports are connected to, now.
@Suite("Connection board", .timeLimit(.minutes(3)), .stopsLiveServers)
struct ConnectionBoardTests {
    /// Polls the board until `predicate` holds (the transports write it from their own tasks).
    func board(
        of server: LiveServer, until predicate: @escaping (ConnectionBoard.Snapshot) -> Bool
    ) async throws -> ConnectionBoard.Snapshot {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let snapshot = server.gateway.board.snapshot()
            if predicate(snapshot) { return snapshot }
            try await Task.sleep(for: .milliseconds(20))
        }
        return server.gateway.board.snapshot()
    }

    @Test("a forward WebSocket connection is listed with its role and the peer's address until it closes")
    func forwardConnections() async throws {
        let server = try await LiveServer.start()
        let before = Int64(Date().timeIntervalSince1970)
        let events = WSSession(port: server.port, path: "/event")
        let api = WSSession(port: server.port, path: "/api")
        _ = try await api.call("get_status")
        let open = try await board(of: server) { $0.connections.count == 2 }
        #expect(open.connections.map(\.role).sorted() == ["api", "event"])
        #expect(open.connections.allSatisfy { $0.direction == .forward && $0.address.hasPrefix("127.0.0.1:") })
        #expect(open.connections.allSatisfy { $0.since >= before })
        await events.close()
        let after = try await board(of: server) { $0.connections.count == 1 }
        #expect(after.connections.map(\.role) == ["api"])
        await api.close()
        await server.stop()
        server.removeFiles()
    }

    @Test("a reverse target shows connected while its connection is up, and the error of a failed dial")
    func reverseTargets() async throws {
        let bot = try await FakeBot()
        let deadPort = try freePort()
        let server = try await LiveServer.start {
            $0.onebot11.reverseWS = [
                .init(url: "ws://127.0.0.1:\(bot.port)/ws", role: .universal, reconnectIntervalMS: 200),
                .init(url: "ws://127.0.0.1:\(deadPort)/ws", role: .event, reconnectIntervalMS: 200),
            ]
        }
        let snapshot = try await board(of: server) {
            $0.reverse.first?.connected == true && $0.reverse.last?.failures ?? 0 > 0
        }
        #expect(snapshot.reverse.map(\.url) == ["ws://127.0.0.1:\(bot.port)/ws", "ws://127.0.0.1:\(deadPort)/ws"])
        #expect(snapshot.reverse.map(\.role) == ["universal", "event"])
        #expect(snapshot.reverse.first?.lastError == nil)
        #expect(snapshot.reverse.last?.connected == false)
        #expect(snapshot.reverse.last?.lastError?.isEmpty == false)
        #expect(snapshot.connections.map(\.direction) == [.reverse])
        #expect(snapshot.connections.first?.address == "ws://127.0.0.1:\(bot.port)/ws")
        await bot.stop()
        let closed = try await board(of: server) { $0.reverse.first?.connected == false }
        #expect(closed.reverse.first?.connected == false)
        await server.stop()
        server.removeFiles()
    }

    @Test("a webhook target counts deliveries, failed attempts, retries and events it lost")
    func webhookCounts() async throws {
        let bot = try await FakeBot()
        let server = try await LiveServer.start {
            $0.onebot11.httpPost = [
                .init(url: "http://127.0.0.1:\(bot.port)/hook", timeoutMS: 10_000, retryWindowMS: 3000)
            ]
        }
        _ = try await bot.post { $0.envelope?.json["sub_type"] == "enable" }
        bot.setHookMode(.failFirst(100))
        _ = try await server.call("upload_group_file", ["group_id": 4, "file": "base64://aGk=", "name": "lost"])
        // The delivery of `enable` is recorded just after the bot has it, and the lost event after its window.
        let snapshot = try await board(of: server) {
            $0.webhooks.first?.dropped == 1 && $0.webhooks.first?.delivered == 1
        }
        let target = try #require(snapshot.webhooks.first)
        #expect(target.url == "http://127.0.0.1:\(bot.port)/hook")
        #expect(target.delivered == 1)
        #expect(target.dropped == 1)
        #expect(target.failures >= 2)
        #expect(target.retries == target.failures - 1)
        #expect(target.lastError == "HTTP 503")
        #expect(target.queueDepth == 0)
        await server.stop()
        await bot.stop()
        server.removeFiles()
    }
}

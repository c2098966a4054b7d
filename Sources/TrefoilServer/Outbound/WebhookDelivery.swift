import Crypto
import Foundation
import Logging
import NIOCore
import OneBotV11
import ServiceLifecycle
import Synchronization
import TrefoilConfiguration
import TrefoilCore
import TrefoilFaceKit

/// Posts every event to one HTTP target (docs/onebot11.md §1.5): `Content-Type: application/json`,
/// `X-Self-ID`, `X-Signature: sha1=<HMAC-SHA1(secret, body)>` when a secret is set, the access token
/// as a bearer token. Lifecycle `enable` goes first, `disable` at a clean shutdown.
///
/// Events to a target go one at a time, in order; a failure is retried with doubling pauses for
/// `retry_window_ms`, then dropped with a warning. The target has its own bounded queue, so a target
/// that is down, slow or silent delays nothing but itself, and memory stays bounded whatever it does.
struct WebhookDelivery: Service {
    /// Events waiting for a target that is not keeping up; beyond this they are dropped and counted.
    static let queueSize = 1024

    let target: OneBot11Settings.HTTPPost
    let selfID: Int64
    let accessToken: String
    let fetcher: SafeFetcher
    let logger: Logger
    let dropped: DropCounter
    /// This target's line on the board (deliveries, failures, losses, queue depth), for the console and `/metrics`.
    let board: ConnectionBoard
    let boardID: Int
    private let waiting: QueueDepth
    private let health = TargetHealth()
    private let queue: AsyncStream<EventFrame>
    private let firstRetryPause: Duration

    init(
        target: OneBot11Settings.HTTPPost, config: TrefoilConfig, frames: Broadcast<EventFrame>,
        board: ConnectionBoard, logger: Logger, firstRetryPause: Duration = .milliseconds(250)
    ) {
        self.target = target
        selfID = config.onebot11.selfID
        accessToken = config.onebot11.accessToken
        // The targets are the operator's own bot frameworks, usually on loopback or a private network.
        // `timeout_ms` bounds the whole delivery, not only a silence: a target that trickles its answer would
        // otherwise hold every later event of its queue.
        fetcher = SafeFetcher(
            configuration: .init(
                timeout: .milliseconds(target.timeoutMS), totalTimeout: .milliseconds(target.timeoutMS),
                allowPrivateNetworks: true, maxRedirects: 0,
                maxBytes: 1 << 20, userAgent: "Trefoil/\(TrefoilVersion.current)"))
        self.logger = logger
        let waiting = QueueDepth()
        let boardID = board.registerWebhook(url: target.url) { waiting.count }
        let dropped = DropCounter()
        self.dropped = dropped
        self.waiting = waiting
        self.board = board
        self.boardID = boardID
        queue = frames.subscribe(bufferSize: Self.queueSize) {
            dropped.overflowed()
            board.webhookDropped(boardID)
        } onEnqueue: {
            waiting.added()
        }
        self.firstRetryPause = firstRetryPause
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await deliver(lifecycle("enable"), retrying: true)
            for await event in queue {
                waiting.taken()
                await deliver(event.text, retrying: true)
            }
        }
        // One attempt, for at most a couple of seconds: a dead target must not hold up the shutdown.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await deliver(lifecycle("disable"), retrying: false) }
            group.addTask { try? await Task.sleep(for: .seconds(2)) }
            await group.next()
            group.cancelAll()
        }
        let (overflowed, failed) = dropped.totals
        if overflowed + failed > 0 {
            logger.warning(
                "events dropped for this target",
                metadata: metadata.merging(["queue_full": "\(overflowed)", "undeliverable": "\(failed)"]) { $1 })
        }
    }

    /// Posts one event; retries for the target's retry window; counts and warns when it gives up.
    func deliver(_ body: String, retrying: Bool) async {
        let deadline = ContinuousClock.now + .milliseconds(target.retryWindowMS)
        var pause = firstRetryPause
        var lastError = ""
        while true {
            switch await post(body) {
            case .success:
                board.webhookDelivered(boardID)
                if health.recovered() { logger.info("deliveries to this target work again", metadata: metadata) }
                return
            case .failure(let failure):
                lastError = failure.reason
                board.webhookFailed(boardID, error: lastError)
                // Once per change of state, so that a wrong secret or a dead target shows at once.
                if health.failed() {
                    logger.warning(
                        "delivery failing; retrying for up to \(target.retryWindowMS) ms per event",
                        metadata: metadata.merging(["error": "\(lastError)"]) { $1 })
                }
            }
            guard retrying, ContinuousClock.now + pause < deadline, !Task.isCancelled else { break }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(30))
            board.webhookRetried(boardID)
        }
        let total = dropped.failed()
        board.webhookDropped(boardID)
        if Task.isCancelled {
            logger.info(
                "event left undelivered at shutdown", metadata: metadata.merging(["dropped_so_far": "\(total)"]) { $1 })
            return
        }
        logger.warning(
            "event dropped after failed deliveries",
            metadata: metadata.merging(["error": "\(lastError)", "dropped_so_far": "\(total)"]) { $1 })
    }

    private var metadata: Logger.Metadata { ["target": "\(target.url)"] }

    private func post(_ body: String) async -> Result<Void, DeliveryFailure> {
        var headers = [("Content-Type", "application/json"), ("X-Self-ID", String(selfID))]
        if !target.secret.isEmpty { headers.append(("X-Signature", Self.signature(body, secret: target.secret))) }
        if !accessToken.isEmpty { headers.append(("Authorization", "Bearer \(accessToken)")) }
        do {
            let (status, _) = try await fetcher.post(target.url, headers: headers, body: ByteBuffer(string: body))
            return (200..<300).contains(status) ? .success(()) : .failure(DeliveryFailure("HTTP \(status)"))
        } catch {
            return .failure(DeliveryFailure("\(error)"))
        }
    }

    /// `sha1=` and the lowercase hex HMAC-SHA1 of the raw body, as OneBot 11 signs posts.
    static func signature(_ body: String, secret: String) -> String {
        let code = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha1=" + code.map { String(format: "%02x", $0) }.joined()
    }

    private func lifecycle(_ subType: String) -> String {
        let event = OneBotEvents.lifecycle(subType, selfID: selfID, time: Int64(Date().timeIntervalSince1970))
        return String(decoding: event.encoded(), as: UTF8.self)
    }
}

struct DeliveryFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Events one target lost: to a full queue, or to failures past the retry window.
final class DropCounter: Sendable {
    private let overflow = Atomic<Int>(0)
    private let undeliverable = Atomic<Int>(0)

    func overflowed() { overflow.add(1, ordering: .relaxed) }

    /// Counts one undeliverable event; returns the total so far.
    func failed() -> Int { undeliverable.add(1, ordering: .relaxed).newValue }

    var totals: (overflowed: Int, failed: Int) {
        (overflow.load(ordering: .relaxed), undeliverable.load(ordering: .relaxed))
    }
}

/// Events in a target's queue: counted in as the queue takes them, out as the delivery loop takes them off.
final class QueueDepth: Sendable {
    private let value = Atomic<Int>(0)

    func added() { value.add(1, ordering: .relaxed) }
    func taken() { value.subtract(1, ordering: .relaxed) }
    var count: Int { max(0, value.load(ordering: .relaxed)) }
}

/// Whether a target's last delivery failed, to log a change of state once.
final class TargetHealth: Sendable {
    private let failing = Atomic<Bool>(false)

    /// Records a failure; true when the target was healthy until now.
    func failed() -> Bool { !failing.exchange(true, ordering: .relaxed) }

    /// Records a success; true when the target was failing until now.
    func recovered() -> Bool { failing.exchange(false, ordering: .relaxed) }
}

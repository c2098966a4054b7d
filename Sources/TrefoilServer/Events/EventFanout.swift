import Foundation
import Logging
import NIOCore
import OneBotV11
import ServiceLifecycle
import TrefoilCore
import TrefoilJSON

/// One OneBot event as every event channel sends it, with the request that caused it, if any.
///
/// Encoded once, into a buffer every connection writes as it is: a `ByteBuffer` is shared, not copied, until
/// someone writes into it, so a thousand event connections send one event's bytes without a thousand conversions
/// (issue 18).
struct EventFrame: Sendable {
    let bytes: ByteBuffer
    /// Set when a request made through a transport caused the event: the connection that asked writes the
    /// request's answer first.
    var origin: EventOrigin?

    init(_ event: JSONValue, origin: EventOrigin? = nil) {
        bytes = ByteBuffer(bytes: event.encoded())
        self.origin = origin
    }

    /// The event as text, for an HTTP POST body.
    var text: String { String(buffer: bytes) }
}

/// Turns store events into OneBot event frames for every event channel.
struct EventFanout: Service {
    private let storeEvents: AsyncStream<StoreEvent>
    let context: ActionContext
    let frames: Broadcast<EventFrame>

    /// Observes the store's events at once, so that nothing published between start-up and `run` is missed. An event
    /// comes through only while an event channel listens: a bot on the API alone (no event channel) has no notice, no
    /// signed link and no bytes made for each upload, and no task woken for it.
    init(context: ActionContext, frames: Broadcast<EventFrame>) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: StoreEvent.self, bufferingPolicy: .bufferingOldest(4096))
        context.tree.events.observe { event in
            if frames.subscriberCount > 0 { continuation.yield(event) }
        }
        storeEvents = stream
        self.context = context
        self.frames = frames
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in storeEvents {
                guard let notice = OneBotEvents.notice(for: event, context: context) else { continue }
                frames.publish(EventFrame(notice, origin: event.origin))
            }
        }
    }
}

/// Sends a heartbeat meta event to every event channel at the configured interval.
struct HeartbeatService: Service {
    let context: ActionContext
    let frames: Broadcast<EventFrame>
    let interval: Duration
    let intervalMS: Int

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let event = OneBotEvents.heartbeat(
                status: await OneBotEvents.status(context), intervalMS: intervalMS, selfID: context.selfID,
                time: Int64(Date().timeIntervalSince1970))
            frames.publish(EventFrame(event))
        }
    }
}

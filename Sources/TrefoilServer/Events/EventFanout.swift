import Foundation
import Logging
import OneBotV11
import ServiceLifecycle
import TrefoilCore
import TrefoilJSON

/// One OneBot event as every event channel sends it, with the request that caused it, if any.
struct EventFrame: Sendable {
    let text: String
    /// Set when a request made through a transport caused the event: the connection that asked writes the
    /// request's answer first.
    var origin: EventOrigin?

    init(_ event: JSONValue, origin: EventOrigin? = nil) {
        text = String(decoding: event.encoded(), as: UTF8.self)
        self.origin = origin
    }
}

/// Turns store events into OneBot event frames for every event channel.
struct EventFanout: Service {
    private let storeEvents: AsyncStream<StoreEvent>
    let context: ActionContext
    let frames: Broadcast<EventFrame>

    /// Subscribes at once, so that nothing published between start-up and `run` is missed.
    init(context: ActionContext, frames: Broadcast<EventFrame>) {
        storeEvents = context.tree.events.subscribe(bufferSize: 4096)
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

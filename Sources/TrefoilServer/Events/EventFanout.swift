import Foundation
import Logging
import OneBotV11
import ServiceLifecycle
import TrefoilCore

/// Turns store events into OneBot event frames for every event channel.
struct EventFanout: Service {
    private let storeEvents: AsyncStream<StoreEvent>
    let context: ActionContext
    let frames: Broadcast<String>

    /// Subscribes at once, so that nothing published between start-up and `run` is missed.
    init(context: ActionContext, frames: Broadcast<String>) {
        storeEvents = context.tree.events.subscribe(bufferSize: 4096)
        self.context = context
        self.frames = frames
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await event in storeEvents {
                switch event {
                case .fileUploaded(let file):
                    guard let notice = OneBotEvents.groupUpload(file, context: context) else { continue }
                    frames.publish(String(decoding: notice.encoded(), as: UTF8.self))
                }
            }
        }
    }
}

/// Sends a heartbeat meta event to every event channel at the configured interval.
struct HeartbeatService: Service {
    let context: ActionContext
    let frames: Broadcast<String>
    let interval: Duration
    let intervalMS: Int

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let event = OneBotEvents.heartbeat(
                status: await OneBotEvents.status(context), intervalMS: intervalMS, selfID: context.selfID,
                time: Int64(Date().timeIntervalSince1970))
            frames.publish(String(decoding: event.encoded(), as: UTF8.self))
        }
    }
}

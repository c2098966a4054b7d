import Foundation
import Hummingbird
import TrefoilCore
import TrefoilFaceKit

/// `/console/`: the store's totals, the bots connected now, and the last store events.
struct OverviewPage: Sendable {
    let store: FileTree
    let board: ConnectionBoard
    let startedAt: Int64
    let recent: RecentEvents
    let pages: ConsolePages
    let frame: ConsoleFrame

    func show(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        let statistics: StoreStatistics
        do {
            statistics = try await store.statistics()
        } catch {
            return frame.failurePage(request, context, ConsoleFailure(error, language: t), pages: pages)
        }
        let board = self.board.snapshot()
        var data = frame.data(request, context, title: t.text("overview_title"), section: .overview)
        let totals: [(String, String)] = [
            ("groups", "\(statistics.spaces[.group] ?? 0)"), ("files", "\(statistics.files)"),
            ("bytes", ConsoleFormat.bytes(statistics.fileBytes)),
            ("dedup", ConsoleFormat.bytes(statistics.dedupSavedBytes)),
            (
                "disk-free",
                "\(ConsoleFormat.bytes(statistics.diskFreeBytes)) / \(ConsoleFormat.bytes(statistics.diskTotalBytes))"
            ),
            ("uptime", ConsoleFormat.duration(max(0, store.now - startedAt))), ("version", TrefoilVersion.current),
        ]
        data["totals"] = totals.map { key, value -> [String: Any] in
            ["key": key, "label": t.text("stat_" + key.replacingOccurrences(of: "-", with: "_")), "value": value]
        }
        data["connections"] = board.connections.map { connection -> [String: Any] in
            [
                "direction": t.text("direction_\(connection.direction.rawValue)"), "role": connection.role,
                "address": connection.address, "since": ConsoleFormat.time(connection.since),
            ]
        }
        data["reverse"] = board.reverse.map { target -> [String: Any] in
            [
                "url": target.url, "role": target.role,
                "state": t.text(target.connected ? "state_connected" : "state_disconnected"),
                "since": target.since.map(ConsoleFormat.time) ?? "", "failures": target.failures,
                "lastError": target.lastError ?? "",
            ]
        }
        data["webhooks"] = board.webhooks.map { target -> [String: Any] in
            [
                "url": target.url, "queue": target.queueDepth, "delivered": target.delivered,
                "failures": target.failures, "retries": target.retries, "dropped": target.dropped,
                "lastError": target.lastError.map { error in
                    target.lastErrorAt.map { "\(ConsoleFormat.time($0)): \(error)" } ?? error
                } ?? "",
            ]
        }
        data["events"] = recent.entries.map { entry in Self.row(entry, language: t) }
        return pages.page("overview", data)
    }

    private static func row(_ entry: RecentEvents.Entry, language t: ConsoleLanguage) -> [String: Any] {
        let (kind, name): (String, String) =
            switch entry.event {
            case .fileStored(let file, _): ("file_stored", file.name)
            case .fileDeleted(let file, _): ("file_deleted", file.name)
            case .folderCreated(let folder, _): ("folder_created", folder.name)
            case .folderRenamed(let folder, _): ("folder_renamed", folder.name)
            case .folderDeleted(let folder, _): ("folder_deleted", folder.name)
            }
        let owner = entry.event.owner
        return [
            "kind": kind, "label": t.text("event_" + kind), "time": ConsoleFormat.time(entry.time),
            "space": "\(t.text("kind_\(owner.kind.rawValue)")) \(owner.id)", "name": name,
        ]
    }
}

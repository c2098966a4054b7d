import Foundation
import Hummingbird
import Synchronization
import TrefoilCore

/// `/console/health`: the janitor's and the start-up collector's last runs, the temp files, and the live
/// consistency check (`FileTree.checkConsistencyWhileServing`), whose last result the page shows.
struct HealthPage: Sendable {
    let store: FileTree
    let pages: ConsolePages
    let frame: ConsoleFrame
    let lastCheck = LastCheck()

    func show(_ request: Request, _ context: ConsoleRequestContext) async -> Response {
        let t = context.language
        var data = frame.data(request, context, title: t.text("health_title"), section: .health)
        if let statistics = try? await store.statistics() {
            data["tempFiles"] = statistics.tempFiles
            data["tempBytes"] = ConsoleFormat.bytes(statistics.tempBytes)
        }
        data["runs"] = store.maintenance.recent.map { run -> [String: Any] in
            [
                "kind": t.text("run_\(run.kind.rawValue)"), "kindKey": run.kind.rawValue,
                "started": ConsoleFormat.time(run.startedAt),
                "duration": String(format: "%.3f s", run.durationSeconds), "expired": run.expiredFiles,
                "abandoned": run.abandonedUploads, "collected": run.collectedBlobs, "pruned": run.prunedCacheFiles,
                "result": run.error ?? t.text("run_ok"),
            ]
        }
        if let last = lastCheck.value {
            let time = last.time
            switch last.result {
            case .success(let report):
                data["check"] =
                    [
                        "clean": report.isClean,
                        "summary": report.isClean
                            ? t.text("check_clean", ConsoleFormat.time(time))
                            : t.text("check_problems", ConsoleFormat.time(time), report.problems.count),
                        "problems": report.problems, "hasProblems": !report.problems.isEmpty, "notes": report.notes,
                        "hasNotes": !report.notes.isEmpty,
                    ] as [String: Any]
            case .failure(let failure):
                data["check"] =
                    ["clean": false, "summary": t.text("check_failed", failure.message)] as [String: Any]
            }
        }
        return pages.page("health", data)
    }

    /// `POST /console/health/check`: runs the check, keeps the result, and shows the health page again.
    func check(_ context: ConsoleRequestContext) async -> Response {
        let result: Result<ConsistencyReport, LastCheck.Failure>
        do {
            result = .success(try await store.checkConsistencyWhileServing())
        } catch {
            result = .failure(LastCheck.Failure(message: "\(error)"))
        }
        lastCheck.keep(time: store.now, result)
        return ConsolePages.seeOther(ConsolePaths.health)
    }
}

/// The last check's result and when it ran, shown to every admin: a check reads the whole store, so one is enough.
final class LastCheck: Sendable {
    struct Failure: Error {
        let message: String
    }

    private let state = Mutex<(time: Int64, result: Result<ConsistencyReport, Failure>)?>(nil)

    var value: (time: Int64, result: Result<ConsistencyReport, Failure>)? { state.withLock { $0 } }

    func keep(time: Int64, _ result: Result<ConsistencyReport, Failure>) { state.withLock { $0 = (time, result) } }
}

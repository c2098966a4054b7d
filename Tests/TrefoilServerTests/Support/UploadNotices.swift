import OneBotV11
import Testing
import TrefoilJSON

/// Uploads `count` one-byte files, each into a group of its own, one after another as a bot does, then checks
/// that on the connection that asked (whose frames `log` records) each upload's answer came before its
/// `group_upload` notice. Returns the files' ids in upload order.
@discardableResult
func expectAnswersBeforeNotices(
    count: Int, on log: FrameLog, upload: (JSONValue) async throws -> Envelope,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> [JSONValue] {
    var ids: [JSONValue] = []
    for i in 0..<count {
        // A new group each time: there the notice overtook the answer for about one upload in 15 before the fix, so
        // 100 uploads found it in every run.
        let answer = try await upload([
            "group_id": .int(Int64(8000 + i)), "file": .string(base64([UInt8(truncatingIfNeeded: i)])), "name": "n",
        ])
        #expect(answer.isOK, "\(answer)", sourceLocation: sourceLocation)
        ids.append(answer.data["file_id"] ?? .null)
    }
    for id in ids {
        _ = try await log.first(matching: { $0.json["file"]?["id"] == id }, timeout: .seconds(20))
    }
    let frames = log.all
    for id in ids {
        let answer = frames.firstIndex { $0.postType == nil && $0.data["file_id"] == id }
        let notice = frames.firstIndex { $0.json["notice_type"] == "group_upload" && $0.json["file"]?["id"] == id }
        #expect(
            answer != nil && notice != nil && answer! < notice!,
            "upload \(id): answer at \(String(describing: answer)), notice at \(String(describing: notice))",
            sourceLocation: sourceLocation)
    }
    return ids
}

import Foundation
import OneBotSpec
import TrefoilCore
import TrefoilJSON
import TrefoilMetrics

/// OneBot 12's `upload_file_fragmented`: `prepare` sizes a pending upload and names it, `transfer` writes fragments
/// at their offsets in any order, `finish` checks the SHA-256 and stages the file.
struct FragmentedUploadAction: ActionHandler {
    let actions = [ActionCatalog.uploadFileFragmented]

    /// Pending ids of this family live under this prefix, apart from NapCat's and Shamrock's.
    static let family = "onebot12:"

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let stage = try params.string(Param.stage)
        switch stage {
        case "prepare":
            let name = try params.string(Param.stagedName)
            let total = try params.int64(Param.totalSize)
            let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            _ = try await context.pending.begin(
                Self.family + id, client: params.client, name: name, layout: .bytes(total: total),
                expected: ExpectedDigests(sha256: try StagingActions.sha256(params)))
            return .object(["file_id": .string(id)])
        case "transfer":
            let id = try Self.pendingID(params)
            let offset = try params.int64(Param.fragmentOffset)
            let data = try params.pieceBase64(Param.fragmentData)
            if let size = try params.optionalInt64(Param.fragmentSize), size != Int64(data.count) {
                throw OneBotError.invalid(
                    Param.fragmentSize.name, "\(size) does not match the \(data.count) bytes of data")
            }
            try await context.pending.write(id, at: offset, data)
            return .null
        case "finish":
            let stored = try await context.pending.finish(
                try Self.pendingID(params), expected: ExpectedDigests(sha256: try StagingActions.sha256(params)),
                into: context.stagingSpace, ttlSeconds: context.stagedTTL, by: context.member)
            return context.counted(stored, from: .fragments).stagedResult
        default:
            throw OneBotError.unsupported(
                "stage \"\(stage.prefix(40))\" is not supported: use prepare, transfer or finish")
        }
    }

    /// The pending upload a `transfer` or `finish` names.
    private static func pendingID(_ params: Params) throws(OneBotError) -> String {
        family + (try params.string(Param.pendingID))
    }
}

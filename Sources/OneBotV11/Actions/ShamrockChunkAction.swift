import Foundation
import OneBotSpec
import TrefoilCore
import TrefoilJSON
import TrefoilMetrics

/// Shamrock's `upload_file_to_shamrock`: chunks at byte offsets of a file named by its MD5. The upload finishes by
/// itself once every byte is there, and only when the bytes have that MD5.
struct ShamrockChunkAction: ActionHandler {
    let actions = [ActionCatalog.uploadFileToShamrock]

    /// Pending ids of this family live under this prefix, apart from OneBot 12's and NapCat's.
    static let family = "shamrock:"

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        guard let md5 = try StagingActions.hexDigest(params, Param.chunkMD5, length: 32) else {
            throw OneBotError.lack(Param.chunkMD5.name)
        }
        let chunk = try params.pieceBase64(Param.chunk)
        let offset = try params.optionalInt64(Param.chunkOffset) ?? 0
        let fileSize = try params.optionalInt64(Param.chunkFileSize) ?? Int64(chunk.count)
        let id = Self.family + md5
        _ = try await context.pending.begin(
            id, client: params.client, name: md5, layout: .bytes(total: fileSize), expected: ExpectedDigests(md5: md5),
            reusing: true)
        let status = try await context.pending.write(id, at: offset, chunk)
        guard status.isComplete else {
            return .object(["file_size": .int(fileSize), "finish": .bool(false), "path": .string("")])
        }
        let stored = try await context.pending.finish(
            id, into: context.stagingSpace, ttlSeconds: context.stagedTTL, by: context.member)
        _ = context.counted(stored, from: .fragments)
        return .object(["file_size": .int(stored.size), "finish": .bool(true), "path": .string(stored.id.rawValue)])
    }
}

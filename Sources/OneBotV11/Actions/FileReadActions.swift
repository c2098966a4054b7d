import Foundation
import OneBotSpec
import TrefoilCore
import TrefoilJSON

/// OneBot 12's `get_file` and `get_file_fragmented`: a stored file (staged, a group's or a user's) by id, whole or
/// in ranges read straight from its blob.
struct FileReadActions: ActionHandler {
    let actions = [ActionCatalog.getFile, ActionCatalog.getFileFragmented]

    func handle(_ action: ActionSpec, _ params: Params, _ context: ActionContext) async throws -> JSONValue {
        if action == ActionCatalog.getFile { return try await getFile(params, context) }
        let stage = try params.string(Param.readStage)
        let file = try await context.readableFile(try params.string(Param.stagedFileID))
        switch stage {
        case "prepare":
            return .object([
                "name": .string(file.name), "total_size": .int(file.size), "sha256": .string(file.digests.sha256),
            ])
        case "transfer":
            let offset = try params.int64(Param.fragmentOffset)
            let size = try params.int64(Param.fragmentSize)
            guard offset >= 0, offset <= file.size else {
                throw OneBotError.invalid(Param.fragmentOffset.name, "must be in 0...\(file.size)")
            }
            guard size >= 0, size <= Int64(context.maxInlineBytes) else {
                throw OneBotError.invalid(
                    Param.fragmentSize.name,
                    "must be in 0...\(context.maxInlineBytes) (what fits in server.ws_max_message_bytes as base64)")
            }
            let bytes = try await context.tree.bytes(of: file, in: offset..<(offset + size))
            return .object(["data": .fragment(JSONFragment(base64Of: bytes))])
        default:
            throw OneBotError.unsupported("stage \"\(stage.prefix(40))\" is not supported: use prepare or transfer")
        }
    }

    private func getFile(_ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let file = try await context.readableFile(try params.string(Param.stagedFileID))
        let type = try params.string(Param.getFileType)
        var result: [String: JSONValue] = [
            "file_id": .string(file.id.rawValue), "name": .string(file.name), "file_size": .int(file.size),
            "sha256": .string(file.digests.sha256), "md5": .string(file.digests.md5),
        ]
        switch type {
        case "url":
            result["url"] = .string(context.downloadURL(for: file))
        case "path":
            result["path"] = .string(try await context.tree.localCopy(of: file))
        case "data":
            guard file.size <= Int64(context.maxInlineBytes) else {
                throw OneBotError.unsupported(
                    "the file has \(file.size) bytes, more than one reply carries (\(context.maxInlineBytes)): "
                        + "use get_file_fragmented, or type url")
            }
            result["data"] = .string(try await context.tree.bytes(of: file, in: 0..<file.size).base64EncodedString())
        default:
            throw OneBotError.unsupported("type \"\(type.prefix(40))\" is not supported: use url, path or data")
        }
        return .object(result)
    }
}

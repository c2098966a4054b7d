import Foundation
import TrefoilCore
import TrefoilJSON

/// What the staging actions share: the bot's staging space, the staged files' life, and files read by id.
extension ActionContext {
    /// The staging space of this face's bot: staged files belong to it until they expire.
    var stagingSpace: String { OneBotIDs.text(selfID) }

    /// How long a staged file lives when its upload did not say.
    var stagedTTL: Int64 { Int64(staging.ttlSeconds) }

    /// NapCat's `file_retention` (milliseconds; 0: as long as allowed) as a staged file's life in seconds, at most
    /// `staging.max_ttl_seconds`.
    func stagedTTL(retentionMS: Int64?) -> Int64 {
        let longest = Int64(staging.maxTTLSeconds)
        guard let retentionMS else { return stagedTTL }
        if retentionMS <= 0 { return longest }
        return min(longest, retentionMS / 1000 + (retentionMS % 1000 == 0 ? 0 : 1))
    }

    /// The live staged file of this bot named by `id`, or nil when `id` names none.
    func stagedFile(_ id: String) async throws -> StoredFile? {
        guard FileID.isFresh(id) else { return nil }
        do {
            return try await tree.file(FileID(id), of: Owner(.staging, stagingSpace))
        } catch TrefoilError.fileNotFound {
            return nil
        }
    }

    /// A file a bot may read by its id alone: one of its staged files, or any group's or user's file (the access
    /// token already lets the bot read those through `get_group_file_url` and `get_private_file_url`).
    func readableFile(_ id: String) async throws -> StoredFile {
        guard FileID.isFresh(id) else { throw TrefoilError.fileNotFound }
        let file = try await tree.file(FileID(id))
        switch file.owner.kind {
        case .group, .user: return file
        case .staging where file.owner.id == stagingSpace: return file
        default: throw TrefoilError.fileNotFound
        }
    }

    /// Stages `staged` as a file of this bot's staging space, checking the SHA-256 its client gave first (a mismatch
    /// stores nothing).
    func commitStaged(_ staged: StagedUpload, name: String, sha256: String?, ttlSeconds: Int64) async throws
        -> StoredFile
    {
        do {
            try ExpectedDigests(sha256: sha256).check(staged.digests)
        } catch {
            tree.discard(staged)
            throw error
        }
        return try await tree.commitStaged(
            staged, name: name, into: stagingSpace, ttlSeconds: ttlSeconds, by: member)
    }

    /// The most file bytes one reply may carry as base64 and still fit in a WebSocket message, with room for the
    /// envelope around them.
    var maxInlineBytes: Int { max(1, (maxMessageBytes - 4096) / 4 * 3) }
}

extension StoredFile {
    /// What the staging actions answer for a staged file.
    var stagedResult: JSONValue {
        .object([
            "file_id": .string(id.rawValue), "file": .string(id.rawValue), "file_size": .int(size),
            "md5": .string(digests.md5), "sha256": .string(digests.sha256), "dead_time": .int(deadTime),
        ])
    }
}

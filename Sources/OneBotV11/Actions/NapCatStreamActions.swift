import Foundation
import OneBotSpec
import TrefoilCore
import TrefoilJSON
import TrefoilMetrics

/// NapCat's stream actions: `upload_file_stream` (numbered chunks into a staged file), `download_file_stream` (a
/// stored file as several envelopes with one echo) and `clean_stream_temp_file`.
struct NapCatStreamActions: StreamingActionHandler {
    let actions = [ActionCatalog.uploadFileStream, ActionCatalog.downloadFileStream, ActionCatalog.cleanStreamTempFile]

    /// Pending ids of this family live under this prefix, apart from OneBot 12's and Shamrock's.
    static let family = "napcat:"
    /// The largest `chunk_size` a download accepts: big enough that the envelopes cost little, small enough that a
    /// slow client holds little.
    static let maxChunkSize: Int64 = 8 << 20

    func stream(
        _ action: ActionSpec, _ params: Params, _ context: ActionContext, emit: (JSONValue) async throws -> Void
    ) async throws -> JSONValue {
        switch action {
        case ActionCatalog.uploadFileStream: return try await upload(params, context)
        case ActionCatalog.downloadFileStream: return try await download(params, context, emit: emit)
        default:
            await context.pending.cancelAll { $0.hasPrefix(Self.family) }
            return .null
        }
    }

    private func upload(_ params: Params, _ context: ActionContext) async throws -> JSONValue {
        let streamID = try params.string(Param.streamID)
        let id = Self.family + streamID
        if try params.optionalBool(Param.streamReset) == true {
            await context.pending.cancel(id)
            return .object(["type": .string("reset"), "stream_id": .string(streamID), "status": .string("reset")])
        }
        var status: PendingStatus
        if try params.optionalBool(Param.verifyOnly) == true {
            return Self.progress(try context.pending.status(id), streamID, "file_created")
        }
        if let existing = try? context.pending.status(id) {
            status = existing
        } else {
            guard let total = try params.optionalInt64(Param.totalChunks) else {
                throw OneBotError.invalid(Param.totalChunks.name, "total_chunks required for new stream")
            }
            guard total > 0, total <= Int64(Int32.max) else {
                throw OneBotError.invalid(Param.totalChunks.name, "must be in 1...\(Int32.max)")
            }
            let name = try params.optionalString(Param.streamFilename).flatMap { $0.isEmpty ? nil : $0 }
            status = try await context.pending.begin(
                id, client: params.client, name: name ?? "upload_\(UUID().uuidString.lowercased())",
                layout: .chunks(count: Int(total), fileSize: try params.optionalInt64(Param.streamFileSize)),
                expected: ExpectedDigests(
                    sha256: try StagingActions.hexDigest(params, Param.expectedSHA256, length: 64)),
                ttlSeconds: context.stagedTTL(retentionMS: try params.optionalInt64(Param.fileRetention)),
                reusing: true)
        }
        if let data = try params.optionalPieceBase64(Param.chunkData),
            let index = try params.optionalInt64(Param.chunkIndex)
        {
            guard let index = Int(exactly: index) else {
                throw OneBotError.invalid(Param.chunkIndex.name, "out of range")
            }
            return Self.progress(
                try await context.pending.writeChunk(id, index: index, data), streamID, "chunk_received")
        }
        if try params.optionalBool(Param.isComplete) == true || status.isComplete {
            guard case .chunks(let count, _) = status.layout else { throw TrefoilError.internalError("not a stream") }
            let stored = try await context.pending.finish(
                id,
                expected: ExpectedDigests(
                    sha256: try StagingActions.hexDigest(params, Param.expectedSHA256, length: 64)),
                into: context.stagingSpace, ttlSeconds: context.stagedTTL, by: context.member)
            _ = context.counted(stored, from: .fragments)
            return .object([
                "type": .string("response"), "stream_id": .string(streamID), "status": .string("file_complete"),
                "received_chunks": .int(Int64(count)), "total_chunks": .int(Int64(count)),
                "file_path": .string(stored.id.rawValue), "file_size": .int(stored.size),
                "sha256": .string(stored.digests.sha256),
            ])
        }
        status = try context.pending.status(id)
        return Self.progress(status, streamID, "file_created")
    }

    /// A stream's progress as NapCat reports it.
    private static func progress(_ status: PendingStatus, _ streamID: String, _ word: String) -> JSONValue {
        let total: Int
        if case .chunks(let count, _) = status.layout { total = count } else { total = 0 }
        return .object([
            "type": .string("stream"), "stream_id": .string(streamID), "status": .string(word),
            "received_chunks": .int(Int64(status.receivedChunks)), "total_chunks": .int(Int64(total)),
        ])
    }

    private func download(
        _ params: Params, _ context: ActionContext, emit: (JSONValue) async throws -> Void
    ) async throws -> JSONValue {
        let file = try await context.readableFile(try params.string(Param.streamFile))
        let chunkSize = try params.optionalInt64(Param.chunkSize) ?? 65_536
        let largest = min(Self.maxChunkSize, Int64(context.maxInlineBytes))
        guard chunkSize > 0, chunkSize <= largest else {
            throw OneBotError.invalid(Param.chunkSize.name, "must be in 1...\(largest)")
        }
        try await emit(
            .object([
                "type": .string("stream"), "data_type": .string("file_info"), "file_name": .string(file.name),
                "file_size": .int(file.size), "chunk_size": .int(chunkSize),
            ]))
        var offset: Int64 = 0
        var index: Int64 = 0
        while offset < file.size {
            let bytes = try await context.tree.bytes(of: file, in: offset..<min(file.size, offset + chunkSize))
            guard !bytes.isEmpty else { throw TrefoilError.storageWriteFailed("the file's blob is shorter than it") }
            offset += Int64(bytes.count)
            let text = JSONFragment(base64Of: bytes)
            try await emit(
                .object([
                    "type": .string("stream"), "data_type": .string("file_chunk"), "index": .int(index),
                    "data": .fragment(text), "size": .int(Int64(bytes.count)),
                    "progress": .int(file.size == 0 ? 100 : offset * 100 / file.size),
                    // The fragment's bytes are the base64 text and its two quotes.
                    "base64_size": .int(Int64(text.count - 2)),
                ]))
            index += 1
        }
        return .object([
            "type": .string("response"), "data_type": .string("file_complete"), "total_chunks": .int(index),
            "total_bytes": .int(offset), "message": .string("Download completed"),
        ])
    }
}

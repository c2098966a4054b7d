/// The actions that move big files in pieces over any transport (docs/onebot11.md §6).
extension ActionCatalog {
    static let stagedResult =
        "`{file_id, file, file_size, md5, sha256, dead_time}`: `file_id` (and `file`, the same) is the staged id, "
        + "accepted as `file` by `upload_group_file` and `upload_private_file`"

    public static let uploadFile = ActionSpec(
        "upload_file",
        "OneBot 12: stage a file from a URL, a local path or base64 data (over HTTP also a multipart "
            + "part named `file` or a raw body).",
        params: [
            Param.sourceType, Param.stagedName, Param.sourceURL, Param.sourceHeaders, Param.sourcePath,
            Param.sourceData, Param.sha256,
        ], returns: stagedResult)
    public static let uploadFileFragmented = ActionSpec(
        "upload_file_fragmented", "OneBot 12: stage a file sent in fragments, in any order.",
        params: [
            Param.stage, Param.stagedName.with(.optional(default: nil)), Param.totalSize, Param.pendingID,
            Param.fragmentOffset, Param.fragmentData, Param.fragmentSize, Param.sha256,
        ],
        returns: "`prepare`: `{file_id}` (a pending id); `transfer`: `null`; `finish`: " + stagedResult)
    public static let getFile = ActionSpec(
        "get_file", "OneBot 12: a stored file as a signed URL, a path on the gateway's disk, or base64 data.",
        params: [Param.stagedFileID, Param.getFileType],
        returns: "`{file_id, name, file_size, sha256, md5}` plus `url`, `path` or `data`")
    public static let getFileFragmented = ActionSpec(
        "get_file_fragmented", "OneBot 12: read a stored file in ranges.",
        params: [Param.readStage, Param.stagedFileID, Param.fragmentOffset, Param.fragmentSize],
        returns: "`prepare`: `{name, total_size, sha256}`; `transfer`: `{data}`")
    public static let uploadFileStream = ActionSpec(
        "upload_file_stream", "NapCat: stage a file sent as numbered chunks, in any order.",
        params: [
            Param.streamID, Param.chunkData, Param.chunkIndex, Param.totalChunks, Param.streamFileSize,
            Param.expectedSHA256, Param.isComplete, Param.streamFilename, Param.streamReset, Param.verifyOnly,
            Param.fileRetention,
        ],
        returns:
            "`{type, stream_id, status, received_chunks, total_chunks}`; on completion `type: \"response\"`, "
            + "`status: \"file_complete\"` and `file_path` (the staged id), `file_size`, `sha256`",
        streamed: true)
    public static let downloadFileStream = ActionSpec(
        "download_file_stream", "NapCat: a stored file as several envelopes with the request's echo.",
        params: [Param.streamFile, Param.chunkSize],
        returns:
            "`file_info` `{file_name, file_size, chunk_size}`, then `file_chunk` `{index, data, size, progress, "
            + "base64_size}` per chunk, then `file_complete` `{total_chunks, total_bytes, message}`",
        streamed: true)
    public static let cleanStreamTempFile = ActionSpec(
        "clean_stream_temp_file", "NapCat: give up every unfinished `upload_file_stream`.", params: [],
        returns: "`null`")
    public static let uploadFileToShamrock = ActionSpec(
        "upload_file_to_shamrock", "Shamrock: stage a file sent as chunks at byte offsets, named by its MD5.",
        params: [Param.chunkMD5, Param.chunkOffset, Param.chunk, Param.chunkFileSize],
        returns: "`{file_size, finish, path}`: once every byte is there and the MD5 matched, `finish` is true and "
            + "`path` the staged id (before that, `\"\"`)")

    static let bigFileActions: [ActionSpec] = [
        uploadFile, uploadFileFragmented, getFile, getFileFragmented, uploadFileStream, downloadFileStream,
        cleanStreamTempFile, uploadFileToShamrock,
    ]
}

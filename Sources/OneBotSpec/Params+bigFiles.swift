/// The parameters of the actions that move big files in pieces (docs/onebot11.md §6): OneBot 12's staging actions,
/// NapCat's stream actions and Shamrock's chunk upload.
extension Param {
    public static let sourceType = ParamSpec(
        "type", .string, .required, "Where the bytes come from: `url`, `path` or `data`.")
    public static let stagedName = ParamSpec(
        "name", .string, .optional(default: "the URL's or path's file name"),
        "The staged file's name; required for `data`.")
    public static let sourceURL = ParamSpec(
        "url", .string, .optional(default: nil), "With `type: url`: the http(s) URL to fetch.")
    public static let sourceHeaders = ParamSpec(
        "headers", .headers, .optional(default: nil), "With `type: url`: headers to send with the fetch.")
    public static let sourcePath = ParamSpec(
        "path", .string, .optional(default: nil), "With `type: path`: an absolute path under `upload.local_roots`.")
    public static let sourceData = ParamSpec(
        "data", .base64, .optional(default: nil), "With `type: data`: the file's bytes.")
    public static let sha256 = ParamSpec(
        "sha256", .string, .optional(default: nil), "Lowercase hex SHA-256 of the whole file; checked when given.")
    public static let stage = ParamSpec("stage", .string, .required, "`prepare`, `transfer` or `finish`.")
    public static let readStage = ParamSpec("stage", .string, .required, "`prepare` or `transfer`.")
    public static let pendingID = ParamSpec(
        "file_id", .string, .optional(default: nil), "`transfer` and `finish`: the id `prepare` returned.")
    public static let totalSize = ParamSpec(
        "total_size", .int64, .optional(default: nil), "`prepare`: the file's size in bytes.")
    public static let fragmentOffset = ParamSpec(
        "offset", .int64, .optional(default: nil), "`transfer`: where the fragment starts, in bytes.")
    public static let fragmentData = ParamSpec(
        "data", .base64, .optional(default: nil), "`transfer`: the fragment's bytes.")
    public static let fragmentSize = ParamSpec(
        "size", .int64, .optional(default: nil),
        "Upload `transfer`: the fragment's length, checked against `data`. Download `transfer`: how many bytes to read."
    )
    public static let stagedFileID = ParamSpec(
        "file_id", .string, .required, "A staged file's id, or a group or private file's id.")
    public static let getFileType = ParamSpec(
        "type", .string, .required, "How to return the file: `url`, `path` or `data`.")
    public static let streamID = ParamSpec("stream_id", .string, .required, "The client's name for the stream.")
    public static let chunkData = ParamSpec("chunk_data", .base64, .optional(default: nil), "One chunk's bytes.")
    public static let chunkIndex = ParamSpec(
        "chunk_index", .int64, .optional(default: nil), "The chunk's number, from 0; with `chunk_data`.")
    public static let totalChunks = ParamSpec(
        "total_chunks", .int64, .optional(default: nil), "How many chunks the file has; required for a new stream.")
    public static let streamFileSize = ParamSpec(
        "file_size", .int64, .optional(default: nil), "The file's size; the chunks may not add up to more.")
    public static let expectedSHA256 = ParamSpec(
        "expected_sha256", .string, .optional(default: nil), "Hex SHA-256 of the whole file, checked at completion.")
    public static let isComplete = ParamSpec(
        "is_complete", .bool, .optional(default: "false"), "Finish the stream into a staged file.")
    public static let streamFilename = ParamSpec(
        "filename", .string, .optional(default: "`upload_<stream_id>`"), "The staged file's name.")
    public static let streamReset = ParamSpec(
        "reset", .bool, .optional(default: "false"), "Give the stream up (its chunks are removed).")
    public static let verifyOnly = ParamSpec(
        "verify_only", .bool, .optional(default: "false"), "Only report how many chunks arrived.")
    public static let fileRetention = ParamSpec(
        "file_retention", .int64, .optional(default: "`staging.ttl_seconds`"),
        "How long the staged file lives, in milliseconds; 0: `staging.max_ttl_seconds`.")
    public static let streamFile = ParamSpec(
        "file", aliases: ["file_id"], .string, .required, "A staged file's id, or a group or private file's id.")
    public static let chunkSize = ParamSpec(
        "chunk_size", .int64, .optional(default: "65536"), "Bytes per `file_chunk` envelope.")
    public static let chunkMD5 = ParamSpec("md5", .string, .required, "Hex MD5 of the whole file: names the upload.")
    public static let chunkOffset = ParamSpec(
        "offset", .int64, .optional(default: "0"), "Where this chunk starts, in bytes.")
    public static let chunk = ParamSpec("chunk", .base64, .required, "The chunk's bytes (base64 on every transport).")
    public static let chunkFileSize = ParamSpec(
        "file_size", .int64, .optional(default: "the chunk's length"), "The whole file's size in bytes.")
}

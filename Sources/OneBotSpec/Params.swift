/// The parameters the actions share.
public enum Param {
    public static let groupID = ParamSpec("group_id", .int64, .required, "The group.")
    public static let userID = ParamSpec("user_id", .int64, .required, "The user.")
    public static let file = ParamSpec(
        "file", .string, .required,
        "The content: `base64://…`, a `data:` URI, an http(s) URL, or a `file://` URL / absolute path under `upload.local_roots`."
    )
    public static let uploadName = ParamSpec(
        "name", .string, .optional(default: "the source's file name"), "The file name to store.")
    public static let uploadFolder = ParamSpec(
        "folder", aliases: ["folder_id"], .string, .optional(default: "\"/\""), "The folder to upload into.")
    public static let fileID = ParamSpec("file_id", .string, .required, "The file's id.")
    public static let busid = ParamSpec(
        "busid", aliases: ["bus_id"], .int32, .optional(default: nil), "Accepted for compatibility; never required.")
    public static let folderName = ParamSpec(
        "name", aliases: ["folder_name"], .string, .required, "The folder's name.")
    public static let parentID = ParamSpec(
        "parent_id", .string, .optional(default: "\"/\""), "The folder to create it in.")
    public static let folderID = ParamSpec("folder_id", aliases: ["folder"], .string, .required, "The folder's id.")
    public static let newFolderName = ParamSpec(
        "name", aliases: ["new_folder_name"], .string, .required, "The new name.")
    public static let fileCount = ParamSpec(
        "file_count", .int32, .optional(default: "all"), "Page size: at most this many entries (folders and files).")
    public static let startIndex = ParamSpec(
        "start_index", .int32, .optional(default: "0"), "Offset into the folders-then-files sequence.")
    public static let targetDirectory = ParamSpec(
        "target_parent_directory", aliases: ["target_directory"], .string, .required, "The folder to move to.")
    public static let currentDirectory = ParamSpec(
        "current_parent_directory", aliases: ["parent_directory"], .string, .optional(default: nil),
        "The folder the file is in now; checked when given.")
    public static let newName = ParamSpec("new_name", .string, .required, "The new file name.")
    public static let url = ParamSpec(
        "url", .string, .optional(default: nil), "An http(s) URL to download (or `base64`).")
    public static let base64 = ParamSpec(
        "base64", .string, .optional(default: nil), "Raw base64 content, `base64://` prefix allowed (or `url`).")
    public static let downloadName = ParamSpec(
        "name", .string, .optional(default: "from the response or URL"),
        "The cached file's name; `.` and `..` are refused.")
    public static let headers = ParamSpec(
        "headers", .headers, .optional(default: nil), "Extra request headers, `K=V` per line or per array element.")
    public static let noticeContent = ParamSpec(
        "content", .string, .required, "The announcement's text (at most 65536 bytes of UTF-8).")
    public static let noticeImage = ParamSpec(
        "image", .string, .optional(default: nil), "A picture for the announcement: refused (`10004`) when not empty.")
    public static let noticeID = ParamSpec("notice_id", .string, .required, "The announcement's id.")
    public static let threadCount = ParamSpec(
        "thread_count", .int32, .optional(default: "1"), "Accepted for compatibility; downloads use one connection.")
}

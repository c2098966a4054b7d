/// Every action Trefoil's OneBot 11 face serves, in the order the docs list them.
public enum ActionCatalog {
    static let uploadResult =
        "`{file_id, busid, bizid, msg_id, md5, sha, sha3, sha256, file_size, folder_id, url}`"

    public static let uploadGroupFile = ActionSpec(
        "upload_group_file", "Upload a file into a group's folder.",
        params: [Param.groupID, Param.file, Param.uploadName, Param.uploadFolder], returns: uploadResult)
    public static let uploadPrivateFile = ActionSpec(
        "upload_private_file", "Upload a private file for a user (temporary by default).",
        params: [Param.userID, Param.file, Param.uploadName],
        returns: "`{file_id, busid, bizid, msg_id, md5, sha, sha3, sha256, file_size, url}`")
    public static let deleteGroupFile = ActionSpec(
        "delete_group_file", "Delete a group file.", params: [Param.groupID, Param.fileID, Param.busid],
        returns: "`null`")
    public static let createGroupFileFolder = ActionSpec(
        "create_group_file_folder", "Create a folder.", params: [Param.groupID, Param.folderName, Param.parentID],
        returns:
            "Folder object plus `parent_folder_id`, `modify_time`, `creator_uin`")
    public static let renameGroupFolder = ActionSpec(
        "rename_group_folder", aliases: ["rename_group_file_folder"], "Rename a folder.",
        params: [Param.groupID, Param.folderID, Param.newFolderName], returns: "`null`")
    public static let deleteGroupFolder = ActionSpec(
        "delete_group_folder", aliases: ["delete_group_file_folder"],
        "Delete a folder and everything inside it.", params: [Param.groupID, Param.folderID], returns: "`null`")
    public static let getGroupFileSystemInfo = ActionSpec(
        "get_group_file_system_info", "A group's usage and limits.", params: [Param.groupID],
        returns: "`{file_count, limit_count, used_space, total_space, group_id}`")
    public static let getGroupRootFiles = ActionSpec(
        "get_group_root_files", "List the root folder.", params: [Param.groupID, Param.fileCount, Param.startIndex],
        returns: "`{files: File[], folders: Folder[]}`")
    public static let getGroupFilesByFolder = ActionSpec(
        "get_group_files_by_folder", "List a folder.",
        params: [Param.groupID, Param.folderID, Param.fileCount, Param.startIndex],
        returns: "`{files: File[], folders: Folder[]}`")
    public static let getGroupFileURL = ActionSpec(
        "get_group_file_url", "A signed download URL for a group file.",
        params: [Param.groupID, Param.fileID, Param.busid], returns: "`{url}`")
    public static let getPrivateFileURL = ActionSpec(
        "get_private_file_url", "A signed download URL for a private file.",
        params: [Param.userID.with(.optional(default: "any user")), Param.fileID], returns: "`{url}`")
    public static let moveGroupFile = ActionSpec(
        "move_group_file", "Move a file to another folder of the group.",
        params: [Param.groupID, Param.fileID, Param.targetDirectory, Param.currentDirectory], returns: "`null`")
    public static let renameGroupFile = ActionSpec(
        "rename_group_file", "Rename a group file.", params: [Param.groupID, Param.fileID, Param.newName],
        returns: "`null`")
    public static let transGroupFile = ActionSpec(
        "trans_group_file", "Make a temporary group file permanent (a no-op on a permanent one).",
        params: [Param.groupID, Param.fileID], returns: "`null`")
    public static let downloadFile = ActionSpec(
        "download_file", "Download a URL or decode base64 into the gateway's cache.",
        params: [Param.url, Param.base64, Param.downloadName, Param.headers, Param.threadCount],
        returns: "`{file}`: the absolute path of the cached copy")
    public static let sendGroupNotice = ActionSpec(
        "_send_group_notice", "Publish a group announcement (the Easemob face's announcement is the newest).",
        params: [Param.groupID, Param.noticeContent, Param.noticeImage], returns: "`{notice_id}`")
    public static let getGroupNotice = ActionSpec(
        "_get_group_notice", "A group's announcements, newest first.", params: [Param.groupID],
        returns:
            "`[{notice_id, sender_id, publish_time, message: {text, images, image}}]` (`images` and `image` are always empty)"
    )
    public static let deleteGroupNotice = ActionSpec(
        "_del_group_notice", "Delete one of a group's announcements.", params: [Param.groupID, Param.noticeID],
        returns: "`null`")
    public static let getLoginInfo = ActionSpec(
        "get_login_info", "The bot account.", params: [], returns: "`{user_id, nickname}`")
    public static let getStatus = ActionSpec(
        "get_status", "Health and counters.", params: [], returns: "`{online, good, stat}`")
    public static let getVersionInfo = ActionSpec(
        "get_version_info", "What is serving.", params: [],
        returns: "`{app_name, app_version, protocol_version, runtime}`")

    public static let all: [ActionSpec] =
        [
            uploadGroupFile, uploadPrivateFile, deleteGroupFile, createGroupFileFolder, renameGroupFolder,
            deleteGroupFolder, getGroupFileSystemInfo, getGroupRootFiles, getGroupFilesByFolder, getGroupFileURL,
            getPrivateFileURL, moveGroupFile, renameGroupFile, transGroupFile, downloadFile, sendGroupNotice,
            getGroupNotice, deleteGroupNotice,
        ] + bigFileActions + [getLoginInfo, getStatus, getVersionInfo]
}

import Foundation
import TrefoilCore
import TrefoilJSON

/// The JSON objects of the OneBot 11 face: File, Folder and the upload result (docs/actions.md).
extension StoredFile {
    var groupID: Int64 { OneBotIDs.number(owner.id) ?? 0 }

    /// The File object of listings, written with its keys sorted as `JSONValue.encoded()` sorts them.
    func writeFileObject(into out: inout JSONWriter) {
        out.beginObject()
        out.member("busid", lifetime.busid)
        out.member("dead_time", deadTime)
        out.member("download_times", downloadTimes)
        out.member("file_id", id.rawValue)
        out.member("file_name", name)
        out.member("file_size", size)
        out.member("folder_id", folderID.rawValue)
        out.member("group_id", groupID)
        out.member("md5", digests.md5)
        out.member("modify_time", modifyTime)
        out.member("sha", digests.sha1)
        out.member("sha256", digests.sha256)
        out.member("sha3", digests.sha3)
        out.member("upload_time", uploadTime)
        out.member("uploader", OneBotIDs.number(uploader) ?? 0)
        out.member("uploader_name", uploaderName)
        out.endObject()
    }

    /// What `upload_group_file` and `upload_private_file` return (Shamrock's fields plus ours).
    func uploadResult(url: String, includeFolder: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "file_id": .string(id.rawValue), "busid": .int(lifetime.busid),
            "bizid": .int(lifetime.busid), "msg_id": .int(Int64(messageID)), "md5": .string(digests.md5),
            "sha": .string(digests.sha1), "sha3": .string(digests.sha3), "sha256": .string(digests.sha256),
            "file_size": .int(size), "url": .string(url),
        ]
        if includeFolder { members["folder_id"] = .string(folderID.rawValue) }
        return .object(members)
    }

    /// A positive int32 derived from the id: Shamrock answers uploads with the id of the file
    /// message; Trefoil sends no messages, so this is stable per file instead.
    var messageID: Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in id.rawValue.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int32(hash & 0x7fff_ffff)
    }
}

extension Folder {
    var folderObject: JSONValue {
        [
            "group_id": .int(OneBotIDs.number(owner.id) ?? 0), "folder_id": .string(id.rawValue),
            "folder_name": .string(name), "create_time": .int(createTime), "creator": .int(creatorID),
            "creator_name": .string(creatorName),
            "total_file_count": .int(fileCount), "parent_id": .string(parentID?.rawValue ?? "/"),
        ]
    }

    /// What `create_group_file_folder` returns: the Folder object plus the fields go-cqhttp clients read.
    var createdObject: JSONValue {
        guard case .object(var members) = folderObject else { return folderObject }
        members["parent_folder_id"] = .string(parentID?.rawValue ?? "/")
        members["modify_time"] = .int(modifyTime)
        members["creator_uin"] = .int(creatorID)
        return .object(members)
    }

    private var creatorID: Int64 { OneBotIDs.number(creator) ?? 0 }
}

extension FolderListing {
    /// `{"files":[…],"folders":[…]}`, files written straight to bytes (a page can hold thousands).
    var listingObject: JSONValue {
        var out = JSONWriter(capacity: 256 + files.count * 560)
        out.beginObject()
        out.key("files")
        out.beginArray()
        for file in files { file.writeFileObject(into: &out) }
        out.endArray()
        out.member("folders", .array(folders.map(\.folderObject)))
        out.endObject()
        return .fragment(JSONFragment(out))
    }
}

extension FileLifetime {
    /// QQ's number for a file's lifetime, which OneBot clients read as `busid` (and Shamrock's `bizid`): 102 for a
    /// permanent group file, 104 for a temporary one.
    var busid: Int64 {
        switch self {
        case .permanent: 102
        case .temporary: 104
        }
    }
}

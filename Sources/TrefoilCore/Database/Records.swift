import GRDB

/// Rows as SQLite holds them. Internal: callers see `StoredFile` and `Folder`.
struct SpaceRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "space"
    var id: Int64?
    var kind: String
    var owner: Int64
    var used_space: Int64
    var file_count: Int64
    var created_at: Int64
}

struct BlobRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "blob"
    var sha256: String
    var size: Int64
    var md5: String
    var sha1: String
    var sha3: String?
    var ref_count: Int64
    var created_at: Int64
}

struct FolderRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "folder"
    var space_id: Int64
    var id: String
    var parent_id: String?
    var name: String
    var depth: Int
    var create_time: Int64
    var modify_time: Int64
    var creator: Int64
    var creator_name: String
    var file_count: Int64
}

struct FileRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "file"
    var id: String
    var space_id: Int64
    var folder_id: String
    var name: String
    var sha256: String
    var size: Int64
    var busid: Int
    var dead_time: Int64
    var upload_time: Int64
    var modify_time: Int64
    var download_times: Int64
    var uploader: Int64
    var uploader_name: String
}

/// A file row joined with its space and blob: everything `StoredFile` needs.
struct FileDetail: Decodable, FetchableRecord {
    var file: FileRow
    var kind: String
    var owner: Int64
    var md5: String
    var sha1: String
    var sha3: String?

    /// The SELECT that produces this shape; append WHERE / ORDER clauses.
    static let select = """
        SELECT file.*, space.kind, space.owner, blob.md5, blob.sha1, blob.sha3
        FROM file JOIN space ON space.id = file.space_id JOIN blob ON blob.sha256 = file.sha256
        """

    init(row: Row) throws {
        file = try FileRow(row: row)
        kind = row["kind"]
        owner = row["owner"]
        md5 = row["md5"]
        sha1 = row["sha1"]
        sha3 = row["sha3"]
    }

    var stored: StoredFile {
        StoredFile(
            id: FileID(file.id),
            owner: Owner(kind: kind, number: owner) ?? .group(owner),
            folderID: FolderID(file.folder_id),
            name: file.name,
            size: file.size,
            busid: BusID(rawValue: file.busid) ?? .permanent,
            uploadTime: file.upload_time,
            deadTime: file.dead_time,
            modifyTime: file.modify_time,
            downloadTimes: file.download_times,
            uploader: file.uploader,
            uploaderName: file.uploader_name,
            digests: Digests(sha256: file.sha256, md5: md5, sha1: sha1, sha3: sha3 ?? "")
        )
    }
}

extension FolderRow {
    func folder(owner: Owner) -> Folder {
        Folder(
            id: FolderID(id),
            owner: owner,
            parentID: parent_id.map(FolderID.init),
            name: name,
            depth: depth,
            createTime: create_time,
            modifyTime: modify_time,
            creator: creator,
            creatorName: creator_name,
            fileCount: file_count
        )
    }
}

import GRDB

/// Rows as SQLite holds them. Internal: callers see `StoredFile` and `Folder`.
///
/// Columns are snake_case in SQL and camelCase here.
protocol SnakeCaseRecord: Codable, FetchableRecord, PersistableRecord {}

extension SnakeCaseRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

struct SpaceRow: SnakeCaseRecord {
    static let databaseTableName = "space"
    var id: Int64?
    var kind: String
    var owner: Int64
    var usedSpace: Int64
    var fileCount: Int64
    var createdAt: Int64
}

struct BlobRow: SnakeCaseRecord {
    static let databaseTableName = "blob"
    var sha256: String
    var size: Int64
    var md5: String
    var sha1: String
    var sha3: String?
    var refCount: Int64
    var createdAt: Int64
}

struct FolderRow: SnakeCaseRecord {
    static let databaseTableName = "folder"
    var spaceId: Int64
    var id: String
    var parentId: String?
    var name: String
    var depth: Int
    var createTime: Int64
    var modifyTime: Int64
    var creator: Int64
    var creatorName: String
    var fileCount: Int64
}

struct FileRow: SnakeCaseRecord {
    static let databaseTableName = "file"
    var id: String
    var spaceId: Int64
    var folderId: String
    var name: String
    var sha256: String
    var size: Int64
    var busid: Int
    var deadTime: Int64
    var uploadTime: Int64
    var modifyTime: Int64
    var downloadTimes: Int64
    var uploader: Int64
    var uploaderName: String
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
            folderID: FolderID(file.folderId),
            name: file.name,
            size: file.size,
            busid: BusID(rawValue: file.busid) ?? .permanent,
            uploadTime: file.uploadTime,
            deadTime: file.deadTime,
            modifyTime: file.modifyTime,
            downloadTimes: file.downloadTimes,
            uploader: file.uploader,
            uploaderName: file.uploaderName,
            digests: Digests(sha256: file.sha256, md5: md5, sha1: sha1, sha3: sha3 ?? "")
        )
    }
}

extension FolderRow {
    func folder(owner: Owner) -> Folder {
        Folder(
            id: FolderID(id),
            owner: owner,
            parentID: parentId.map(FolderID.init),
            name: name,
            depth: depth,
            createTime: createTime,
            modifyTime: modifyTime,
            creator: creator,
            creatorName: creatorName,
            fileCount: fileCount
        )
    }
}

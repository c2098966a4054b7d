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
    var owner: String
    var usedSpace: Int64
    var fileCount: Int64
    var createdAt: Int64
}

// Explicit column access: the Codable path with `.convertFromSnakeCase` converts every column name of
// every row (profiled at about a third of a listing's CPU time).
extension SpaceRow {
    init(row: Row) {
        id = row["id"]
        kind = row["kind"]
        owner = row["owner"]
        usedSpace = row["used_space"]
        fileCount = row["file_count"]
        createdAt = row["created_at"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["kind"] = kind
        container["owner"] = owner
        container["used_space"] = usedSpace
        container["file_count"] = fileCount
        container["created_at"] = createdAt
    }
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
    /// Whether the bytes are in `blob_bytes` rather than with the backend.
    var inDatabase: Bool
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
    var creator: String
    var creatorName: String
    var fileCount: Int64
}

extension FolderRow {
    init(row: Row) {
        spaceId = row["space_id"]
        id = row["id"]
        parentId = row["parent_id"]
        name = row["name"]
        depth = row["depth"]
        createTime = row["create_time"]
        modifyTime = row["modify_time"]
        creator = row["creator"]
        creatorName = row["creator_name"]
        fileCount = row["file_count"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["space_id"] = spaceId
        container["id"] = id
        container["parent_id"] = parentId
        container["name"] = name
        container["depth"] = depth
        container["create_time"] = createTime
        container["modify_time"] = modifyTime
        container["creator"] = creator
        container["creator_name"] = creatorName
        container["file_count"] = fileCount
    }
}

struct FileRow: SnakeCaseRecord {
    static let databaseTableName = "file"
    var id: String
    var spaceId: Int64
    var folderId: String
    var name: String
    var sha256: String
    var size: Int64
    /// When the file expires (Unix seconds); 0: kept until deleted.
    var deadTime: Int64
    var uploadTime: Int64
    var modifyTime: Int64
    var downloadTimes: Int64
    var uploader: String
    var uploaderName: String
    var secretRequired: Bool
    /// Both or neither (`FileOptions.previewBox`).
    var previewWidth: Int?
    var previewHeight: Int?
}

extension FileRow {
    init(row: Row) {
        id = row["id"]
        spaceId = row["space_id"]
        folderId = row["folder_id"]
        name = row["name"]
        sha256 = row["sha256"]
        size = row["size"]
        deadTime = row["dead_time"]
        uploadTime = row["upload_time"]
        modifyTime = row["modify_time"]
        downloadTimes = row["download_times"]
        uploader = row["uploader"]
        uploaderName = row["uploader_name"]
        secretRequired = row["secret_required"]
        previewWidth = row["preview_width"]
        previewHeight = row["preview_height"]
    }

    /// Inserts the row with a cached statement: every upload inserts one, and GRDB's record insert (its table lookup,
    /// a `PersistenceContainer`, the key paths) was a fifth of the database writer's CPU for a small upload (perf,
    /// issue 18).
    func insertCached(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO file (id, space_id, folder_id, name, sha256, size, dead_time, upload_time, modify_time,
                    download_times, uploader, uploader_name, secret_required, preview_width, preview_height)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, spaceId, folderId, name, sha256, size, deadTime, uploadTime, modifyTime, downloadTimes, uploader,
            uploaderName, secretRequired, previewWidth, previewHeight,
        ])
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["space_id"] = spaceId
        container["folder_id"] = folderId
        container["name"] = name
        container["sha256"] = sha256
        container["size"] = size
        container["dead_time"] = deadTime
        container["upload_time"] = uploadTime
        container["modify_time"] = modifyTime
        container["download_times"] = downloadTimes
        container["uploader"] = uploader
        container["uploader_name"] = uploaderName
        container["secret_required"] = secretRequired
        container["preview_width"] = previewWidth
        container["preview_height"] = previewHeight
    }
}

/// A file row joined with its space and blob: everything `StoredFile` needs.
struct FileDetail: FetchableRecord {
    var file: FileRow
    var owner: Owner
    var md5: String
    var sha1: String
    var sha3: String?
    var inDatabase: Bool

    /// The SELECT that produces this shape; append WHERE / ORDER clauses. `init(row:)` reads the
    /// columns by position, in this order.
    ///
    /// Live files are filtered with `(file.dead_time = 0 OR file.dead_time > +?)`, the unary plus included: with a
    /// bare `?` SQLite's planner looks at the bound value to decide whether the partial indexes on `dead_time > 0`
    /// apply, and so marks the statement to be compiled again whenever that parameter is bound anew, which is every
    /// use (the time moves). The plus hides the value from the planner; the plans stay the same (those indexes cannot
    /// serve an OR with `dead_time = 0` anyway). Recompiling the file lookup on every upload was 4% of a small
    /// upload's server time in perf (issue 18).
    static let select = """
        SELECT file.id, file.space_id, file.folder_id, file.name, file.sha256, file.size, file.dead_time,
            file.upload_time, file.modify_time, file.download_times, file.uploader, file.uploader_name,
            space.kind, space.owner, blob.md5, blob.sha1, blob.sha3,
            file.secret_required, file.preview_width, file.preview_height, blob.in_database
        FROM file JOIN space ON space.id = file.space_id JOIN blob ON blob.sha256 = file.sha256
        """

    init(file: FileRow, owner: Owner, md5: String, sha1: String, sha3: String?, inDatabase: Bool) {
        self.file = file
        self.owner = owner
        self.md5 = md5
        self.sha1 = sha1
        self.sha3 = sha3
        self.inDatabase = inDatabase
    }

    /// By position rather than by name: looking every column up by name for every row of a listing page was
    /// about 5 % of the server's time for listing a folder (perf).
    init(row: Row) throws {
        file = FileRow(
            id: row[0], spaceId: row[1], folderId: row[2], name: row[3], sha256: row[4], size: row[5],
            deadTime: row[6], uploadTime: row[7], modifyTime: row[8], downloadTimes: row[9], uploader: row[10],
            uploaderName: row[11], secretRequired: row[17], previewWidth: row[18], previewHeight: row[19])
        owner = Owner(try SpaceKind(stored: row[12], in: "space \(file.spaceId)"), row[13])
        md5 = row[14]
        sha1 = row[15]
        sha3 = row[16]
        inDatabase = row[20]
    }

    var stored: StoredFile {
        StoredFile(
            id: FileID(file.id),
            owner: owner,
            folderID: FolderID(file.folderId),
            name: file.name,
            size: file.size,
            lifetime: file.deadTime == 0 ? .permanent : .temporary,
            uploadTime: file.uploadTime,
            deadTime: file.deadTime,
            modifyTime: file.modifyTime,
            downloadTimes: file.downloadTimes,
            uploader: file.uploader,
            uploaderName: file.uploaderName,
            digests: Digests(sha256: file.sha256, md5: md5, sha1: sha1, sha3: sha3 ?? ""),
            options: file.options,
            bytesInDatabase: inDatabase
        )
    }
}

extension FileRow {
    var options: FileOptions {
        let box = previewWidth.flatMap { width in previewHeight.map { PreviewBox(width: width, height: $0) } }
        return FileOptions(secretRequired: secretRequired, previewBox: box)
    }
}

extension SpaceKind {
    /// The kind a row names (`place` says which row, for the error); a kind this release does not know (a newer
    /// release wrote it) is an error, never taken for another kind.
    init(stored text: String, in place: @autoclosure () -> String) throws(TrefoilError) {
        guard let kind = SpaceKind(rawValue: text) else {
            throw .databaseError("\(place()) has the kind \"\(text)\", which this release does not know")
        }
        self = kind
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

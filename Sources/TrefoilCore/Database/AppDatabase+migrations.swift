import GRDB

extension AppDatabase {
    /// The schema's history. Append new migrations; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-file-tree") { db in
            // A space is one owner's file tree: a group's shared files or one user's private files.
            try db.execute(
                sql: """
                    CREATE TABLE space (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('group', 'user')),
                        owner INTEGER NOT NULL,
                        used_space INTEGER NOT NULL DEFAULT 0 CHECK (used_space >= 0),
                        file_count INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
                        created_at INTEGER NOT NULL,
                        UNIQUE (kind, owner)
                    );

                    CREATE TABLE blob (
                        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        md5 TEXT NOT NULL CHECK (length(md5) = 32),
                        sha1 TEXT NOT NULL CHECK (length(sha1) = 40),
                        sha3 TEXT CHECK (sha3 IS NULL OR length(sha3) = 64),
                        ref_count INTEGER NOT NULL DEFAULT 0 CHECK (ref_count >= 0),
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX blob_unreferenced ON blob(sha256) WHERE ref_count = 0;

                    -- Every space has a root folder row ('/', no parent), so that files and folders
                    -- always reference a real parent row.
                    CREATE TABLE folder (
                        space_id INTEGER NOT NULL REFERENCES space(id) ON DELETE CASCADE,
                        id TEXT NOT NULL,
                        parent_id TEXT,
                        name TEXT NOT NULL,
                        depth INTEGER NOT NULL CHECK (depth >= 0),
                        create_time INTEGER NOT NULL,
                        modify_time INTEGER NOT NULL,
                        creator INTEGER NOT NULL,
                        creator_name TEXT NOT NULL DEFAULT '',
                        file_count INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
                        PRIMARY KEY (space_id, id),
                        FOREIGN KEY (space_id, parent_id) REFERENCES folder(space_id, id) ON DELETE CASCADE,
                        UNIQUE (space_id, parent_id, name),
                        CHECK ((parent_id IS NULL) = (id = '/')),
                        CHECK (id = '/' OR length(CAST(name AS BLOB)) BETWEEN 1 AND 255)
                    ) WITHOUT ROWID;

                    CREATE TABLE file (
                        id TEXT PRIMARY KEY,
                        space_id INTEGER NOT NULL,
                        folder_id TEXT NOT NULL,
                        name TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 255),
                        sha256 TEXT NOT NULL REFERENCES blob(sha256),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        busid INTEGER NOT NULL CHECK (busid IN (102, 104)),
                        dead_time INTEGER NOT NULL DEFAULT 0,
                        upload_time INTEGER NOT NULL,
                        modify_time INTEGER NOT NULL,
                        download_times INTEGER NOT NULL DEFAULT 0 CHECK (download_times >= 0),
                        uploader INTEGER NOT NULL,
                        uploader_name TEXT NOT NULL DEFAULT '',
                        FOREIGN KEY (space_id, folder_id) REFERENCES folder(space_id, id) ON DELETE CASCADE,
                        CHECK ((busid = 102) = (dead_time = 0))
                    );
                    -- Covers listing: a deep OFFSET steps through this index alone, without touching rows.
                    CREATE INDEX file_listing ON file(space_id, folder_id, upload_time DESC, id, dead_time);
                    CREATE INDEX file_blob ON file(sha256);
                    CREATE INDEX file_expiry ON file(dead_time) WHERE dead_time > 0;

                    -- Counters move in the same statement as the rows they count, whatever deletes
                    -- the row: an explicit DELETE, a folder cascade, or the expiry janitor.
                    CREATE TRIGGER file_added AFTER INSERT ON file BEGIN
                        UPDATE space SET used_space = used_space + NEW.size, file_count = file_count + 1
                            WHERE id = NEW.space_id;
                        UPDATE folder SET file_count = file_count + 1
                            WHERE space_id = NEW.space_id AND id = NEW.folder_id;
                        UPDATE blob SET ref_count = ref_count + 1 WHERE sha256 = NEW.sha256;
                    END;
                    CREATE TRIGGER file_removed AFTER DELETE ON file BEGIN
                        UPDATE space SET used_space = used_space - OLD.size, file_count = file_count - 1
                            WHERE id = OLD.space_id;
                        UPDATE folder SET file_count = file_count - 1
                            WHERE space_id = OLD.space_id AND id = OLD.folder_id;
                        UPDATE blob SET ref_count = ref_count - 1 WHERE sha256 = OLD.sha256;
                    END;
                    CREATE TRIGGER file_moved AFTER UPDATE OF folder_id ON file
                        WHEN OLD.folder_id <> NEW.folder_id BEGIN
                        UPDATE folder SET file_count = file_count - 1
                            WHERE space_id = OLD.space_id AND id = OLD.folder_id;
                        UPDATE folder SET file_count = file_count + 1
                            WHERE space_id = NEW.space_id AND id = NEW.folder_id;
                    END;
                    CREATE TRIGGER file_content_fixed BEFORE UPDATE OF size, sha256, space_id ON file
                        WHEN NEW.size IS NOT OLD.size OR NEW.sha256 IS NOT OLD.sha256
                            OR NEW.space_id IS NOT OLD.space_id BEGIN
                        SELECT RAISE(ABORT, 'a stored file''s content and space never change');
                    END;
                    """
            )
        }
        migrator.registerMigration("v2-folder-expiry") { db in
            // A folder's expiring files, for a listing's next expiry and its count of expired files: with
            // `file_expiry` alone both walked every expiring file of the store when group files expire.
            try db.execute(
                sql: "CREATE INDEX file_folder_expiry ON file(space_id, folder_id, dead_time) WHERE dead_time > 0")
        }
        migrator.registerMigration("v3-text-owners") { db in
            // Owner ids become text, so that a space can belong to an id that is not a number (an Easemob user
            // "u1"); a QQ group 123 becomes "123". The kind CHECK lists every kind of space. A file's lifetime is
            // stored as what it means, its `dead_time` (0: kept until deleted), and the column that held the
            // first face's code for it is left behind with the old table. After this, v1's shipped text above is
            // the only place in the core that names a protocol (CoreLayeringTests holds it to that).
            //
            // SQLite cannot change a column's type, so the three tables are rebuilt: new tables under new names,
            // the rows copied (counters as they were: no trigger fires on the copy), the old tables dropped (their
            // indexes and triggers go with them), the new ones renamed, then every index and trigger made again.
            // The foreign keys name the final tables; GRDB runs this with foreign keys off and checks them all
            // before the commit.
            try db.execute(
                sql: """
                    CREATE TABLE new_space (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('group', 'user', 'app', 'staging', 'avatar')),
                        owner TEXT NOT NULL CHECK (owner <> ''),
                        used_space INTEGER NOT NULL DEFAULT 0 CHECK (used_space >= 0),
                        file_count INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
                        created_at INTEGER NOT NULL,
                        UNIQUE (kind, owner)
                    );
                    INSERT INTO new_space (id, kind, owner, used_space, file_count, created_at)
                        SELECT id, kind, CAST(owner AS TEXT), used_space, file_count, created_at FROM space;

                    CREATE TABLE new_folder (
                        space_id INTEGER NOT NULL REFERENCES space(id) ON DELETE CASCADE,
                        id TEXT NOT NULL,
                        parent_id TEXT,
                        name TEXT NOT NULL,
                        depth INTEGER NOT NULL CHECK (depth >= 0),
                        create_time INTEGER NOT NULL,
                        modify_time INTEGER NOT NULL,
                        creator TEXT NOT NULL,
                        creator_name TEXT NOT NULL DEFAULT '',
                        file_count INTEGER NOT NULL DEFAULT 0 CHECK (file_count >= 0),
                        PRIMARY KEY (space_id, id),
                        FOREIGN KEY (space_id, parent_id) REFERENCES folder(space_id, id) ON DELETE CASCADE,
                        UNIQUE (space_id, parent_id, name),
                        CHECK ((parent_id IS NULL) = (id = '/')),
                        CHECK (id = '/' OR length(CAST(name AS BLOB)) BETWEEN 1 AND 255)
                    ) WITHOUT ROWID;
                    INSERT INTO new_folder (
                        space_id, id, parent_id, name, depth, create_time, modify_time, creator, creator_name, file_count)
                        SELECT space_id, id, parent_id, name, depth, create_time, modify_time, CAST(creator AS TEXT),
                            creator_name, file_count
                        FROM folder;

                    -- dead_time: when the file expires (Unix seconds); 0: kept until deleted.
                    CREATE TABLE new_file (
                        id TEXT PRIMARY KEY,
                        space_id INTEGER NOT NULL,
                        folder_id TEXT NOT NULL,
                        name TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 255),
                        sha256 TEXT NOT NULL REFERENCES blob(sha256),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        dead_time INTEGER NOT NULL DEFAULT 0 CHECK (dead_time >= 0),
                        upload_time INTEGER NOT NULL,
                        modify_time INTEGER NOT NULL,
                        download_times INTEGER NOT NULL DEFAULT 0 CHECK (download_times >= 0),
                        uploader TEXT NOT NULL,
                        uploader_name TEXT NOT NULL DEFAULT '',
                        FOREIGN KEY (space_id, folder_id) REFERENCES folder(space_id, id) ON DELETE CASCADE
                    );
                    -- v1's CHECK tied its permanent code to dead_time = 0 and its temporary code to a dead time,
                    -- so dead_time alone keeps every file's lifetime.
                    INSERT INTO new_file (
                        id, space_id, folder_id, name, sha256, size, dead_time, upload_time, modify_time,
                        download_times, uploader, uploader_name)
                        SELECT id, space_id, folder_id, name, sha256, size, dead_time, upload_time, modify_time,
                            download_times, CAST(uploader AS TEXT), uploader_name
                        FROM file;

                    DROP TABLE file;
                    DROP TABLE folder;
                    DROP TABLE space;
                    ALTER TABLE new_space RENAME TO space;
                    ALTER TABLE new_folder RENAME TO folder;
                    ALTER TABLE new_file RENAME TO file;
                    """)
            // The indexes and triggers of v1 and v2, made again on the new tables (v1 and v2 are shipped: their
            // text stays as it was, so this repeats it).
            try db.execute(
                sql: """
                    CREATE INDEX file_listing ON file(space_id, folder_id, upload_time DESC, id, dead_time);
                    CREATE INDEX file_blob ON file(sha256);
                    CREATE INDEX file_expiry ON file(dead_time) WHERE dead_time > 0;
                    CREATE INDEX file_folder_expiry ON file(space_id, folder_id, dead_time) WHERE dead_time > 0;

                    CREATE TRIGGER file_added AFTER INSERT ON file BEGIN
                        UPDATE space SET used_space = used_space + NEW.size, file_count = file_count + 1
                            WHERE id = NEW.space_id;
                        UPDATE folder SET file_count = file_count + 1
                            WHERE space_id = NEW.space_id AND id = NEW.folder_id;
                        UPDATE blob SET ref_count = ref_count + 1 WHERE sha256 = NEW.sha256;
                    END;
                    CREATE TRIGGER file_removed AFTER DELETE ON file BEGIN
                        UPDATE space SET used_space = used_space - OLD.size, file_count = file_count - 1
                            WHERE id = OLD.space_id;
                        UPDATE folder SET file_count = file_count - 1
                            WHERE space_id = OLD.space_id AND id = OLD.folder_id;
                        UPDATE blob SET ref_count = ref_count - 1 WHERE sha256 = OLD.sha256;
                    END;
                    CREATE TRIGGER file_moved AFTER UPDATE OF folder_id ON file
                        WHEN OLD.folder_id <> NEW.folder_id BEGIN
                        UPDATE folder SET file_count = file_count - 1
                            WHERE space_id = OLD.space_id AND id = OLD.folder_id;
                        UPDATE folder SET file_count = file_count + 1
                            WHERE space_id = NEW.space_id AND id = NEW.folder_id;
                    END;
                    CREATE TRIGGER file_content_fixed BEFORE UPDATE OF size, sha256, space_id ON file
                        WHEN NEW.size IS NOT OLD.size OR NEW.sha256 IS NOT OLD.sha256
                            OR NEW.space_id IS NOT OLD.space_id BEGIN
                        SELECT RAISE(ABORT, 'a stored file''s content and space never change');
                    END;
                    """)
        }
        migrator.registerMigration("v4-face-files") { db in
            // What the faces after the first one need of the store: per-file options, files that expired staying
            // known as expired, a space's notices, and blobs derived from a file's blob (previews).
            //
            // A file's options. `secret_required`: a download must present the file's access secret.
            // `preview_width`/`preview_height`: the box the uploader asked previews of the file to fit; both or
            // neither. Existing files get neither.
            try db.execute(
                sql: """
                    ALTER TABLE file ADD COLUMN secret_required INTEGER NOT NULL DEFAULT 0
                        CHECK (secret_required IN (0, 1));
                    ALTER TABLE file ADD COLUMN preview_width INTEGER;
                    ALTER TABLE file ADD COLUMN preview_height INTEGER
                        CHECK ((preview_width IS NULL AND preview_height IS NULL)
                            OR (preview_width IS NOT NULL AND preview_height IS NOT NULL
                                AND preview_width BETWEEN 1 AND 10000 AND preview_height BETWEEN 1 AND 10000));
                    -- Covers a space's files across its folders, newest first (`FileTree.files(of:)`), as
                    -- file_listing covers one folder's.
                    CREATE INDEX file_space_recent ON file(space_id, upload_time DESC, id, dead_time);

                    -- What the janitor removed because its dead time passed, kept so that a client asking for it
                    -- later hears "expired" rather than "never existed". A file deleted on purpose leaves none.
                    -- removed_at: when the janitor removed it; tombstones are dropped a fixed time after that.
                    CREATE TABLE expired_file (
                        id TEXT PRIMARY KEY,
                        kind TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        name TEXT NOT NULL,
                        dead_time INTEGER NOT NULL,
                        secret_required INTEGER NOT NULL CHECK (secret_required IN (0, 1)),
                        removed_at INTEGER NOT NULL
                    );
                    CREATE INDEX expired_file_removed ON expired_file(removed_at);

                    -- A space's notices (a group's announcements). The rowid keeps the order of two published in
                    -- the same second.
                    CREATE TABLE space_notice (
                        id TEXT PRIMARY KEY,
                        space_id INTEGER NOT NULL REFERENCES space(id) ON DELETE CASCADE,
                        text TEXT NOT NULL,
                        author TEXT NOT NULL,
                        author_name TEXT NOT NULL DEFAULT '',
                        published_at INTEGER NOT NULL
                    );
                    CREATE INDEX space_notice_recent ON space_notice(space_id, published_at);

                    -- A blob made from another (a preview of an image): it lives while its source blob lives, and
                    -- holds one reference to its own blob, so that it is counted and collected like any blob. When
                    -- the collector drops the source's row the cascade drops this row, and the trigger releases the
                    -- derived blob for the same pass to collect. A derivation whose output is its source's own bytes
                    -- holds no reference, or the source would keep itself alive.
                    CREATE TABLE derived_blob (
                        source TEXT NOT NULL REFERENCES blob(sha256) ON DELETE CASCADE,
                        variant TEXT NOT NULL,
                        sha256 TEXT NOT NULL REFERENCES blob(sha256),
                        media_type TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (source, variant)
                    ) WITHOUT ROWID;
                    -- Deleting a blob row looks here for rows that still name it as their output.
                    CREATE INDEX derived_blob_output ON derived_blob(sha256);
                    CREATE TRIGGER derived_blob_added AFTER INSERT ON derived_blob
                        WHEN NEW.sha256 <> NEW.source BEGIN
                        UPDATE blob SET ref_count = ref_count + 1 WHERE sha256 = NEW.sha256;
                    END;
                    CREATE TRIGGER derived_blob_removed AFTER DELETE ON derived_blob
                        WHEN OLD.sha256 <> OLD.source BEGIN
                        UPDATE blob SET ref_count = ref_count - 1 WHERE sha256 = OLD.sha256;
                    END;
                    CREATE TRIGGER derived_blob_fixed BEFORE UPDATE OF source, sha256 ON derived_blob BEGIN
                        SELECT RAISE(ABORT, 'a derived blob''s source and bytes never change');
                    END;
                    """)
        }
        migrator.registerMigration("v5-links-and-tickets") { db in
            // The ids of single-use tickets that a commit used (`FileTree.commit(…, ticket:)`), inserted in the
            // commit's own transaction. A row is needed only until its ticket expires (after that every commit with
            // it is refused anyway), so the janitor drops rows whose expires_at has passed. A file linked into another
            // space (`FileTree.link`) is an ordinary file row that shares its blob: it needs nothing new here.
            try db.execute(
                sql: """
                    CREATE TABLE used_ticket (
                        id TEXT PRIMARY KEY CHECK (length(id) > 0),
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX used_ticket_expiry ON used_ticket(expires_at);
                    """)
        }
        migrator.registerMigration("v6-store-totals") { db in
            // The bytes of the distinct blobs that files use, kept by the file triggers in the transactions that add
            // and remove files: what deduplication saves is the files' sizes less this. Summing it at read time walked
            // every blob (10 ms at 10,000 files, growing with them) on each `/metrics` scrape. A file's size is its
            // blob's, and its blob never changes (trigger file_content_fixed).
            try db.execute(
                sql: """
                    CREATE TABLE store_totals (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        file_blob_bytes INTEGER NOT NULL CHECK (file_blob_bytes >= 0)
                    );
                    INSERT INTO store_totals (id, file_blob_bytes) VALUES (1,
                        (SELECT coalesce(sum(size), 0) FROM blob
                            WHERE EXISTS (SELECT 1 FROM file WHERE file.sha256 = blob.sha256)));
                    CREATE TRIGGER file_blob_first_use AFTER INSERT ON file
                        WHEN NOT EXISTS (SELECT 1 FROM file WHERE sha256 = NEW.sha256 AND id <> NEW.id) BEGIN
                        UPDATE store_totals SET file_blob_bytes = file_blob_bytes + NEW.size WHERE id = 1;
                    END;
                    CREATE TRIGGER file_blob_last_use AFTER DELETE ON file
                        WHEN NOT EXISTS (SELECT 1 FROM file WHERE sha256 = OLD.sha256) BEGIN
                        UPDATE store_totals SET file_blob_bytes = file_blob_bytes - OLD.size WHERE id = 1;
                    END;
                    """)
        }
        migrator.registerMigration("v7-blob-backends") { db in
            // Writes to a blob backend that were started and may not have finished (`BlobJournal`): recorded before
            // an S3 upload starts, with its multipart upload id once it has one, and deleted in the transaction that
            // records the blob's row. What a crash leaves is undone at the next start without listing the bucket.
            // `unused_since`: when the collector first saw a blob unreferenced, for the grace period before its bytes
            // go (`FileTree.Settings.blobGraceSeconds`); a reference coming back clears it.
            try db.execute(
                sql: """
                    CREATE TABLE blob_pending (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        sha256 TEXT NOT NULL,
                        upload_id TEXT,
                        started_at INTEGER NOT NULL
                    );
                    ALTER TABLE blob ADD COLUMN unused_since INTEGER;
                    CREATE TRIGGER blob_used_again AFTER UPDATE OF ref_count ON blob
                        WHEN NEW.ref_count > 0 AND NEW.unused_since IS NOT NULL BEGIN
                        UPDATE blob SET unused_since = NULL WHERE sha256 = NEW.sha256;
                    END;
                    """)
        }
        migrator.registerMigration("v8-blob-migration") { db in
            // The blobs `trefoil blobs migrate` has copied to `target` (`disk` or `s3`) and read back whole: one row
            // each, written only after the check, so that a run killed half-way resumes without trusting a copy it
            // never checked. Emptied when a migration completes.
            try db.execute(
                sql: """
                    CREATE TABLE blob_migration (
                        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
                        target TEXT NOT NULL,
                        verified_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v9-blobs-in-database") { db in
            // Small blobs (up to `FileTree.Settings.inlineBlobBytes`) are kept in the database, written in the
            // transaction that records the file: one sync of the WAL makes the row and its bytes durable together,
            // where a blob of its own costs a file created, written, synced and renamed, and its folder synced.
            // `in_database` marks the blob rows whose bytes are here, so that a file read (which joins `blob`)
            // knows where to look without touching the bytes; the bytes go with their row.
            try db.execute(
                sql: """
                    ALTER TABLE blob ADD COLUMN in_database INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE blob_bytes (
                        sha256 TEXT PRIMARY KEY REFERENCES blob(sha256) ON DELETE CASCADE,
                        bytes BLOB NOT NULL
                    );
                    """)
        }
        return migrator
    }
}

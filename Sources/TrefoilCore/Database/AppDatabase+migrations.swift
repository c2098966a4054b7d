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
        return migrator
    }
}

import Foundation
import GRDB

extension FileTree {
    /// The most notices a space keeps: publishing one more drops the oldest.
    public static let noticesPerSpace = 100
    /// The longest notice text the store takes, in UTF-8 bytes: a sanity bound, far above what any face allows (each
    /// face limits the length in its own terms).
    public static let maxNoticeBytes = 64 << 10

    /// Publishes a notice in `owner`'s space (creating the space on first use, as an upload does), keeping the
    /// newest `noticesPerSpace`. Notices count toward no quota.
    ///
    /// Throws `.invalid(.noticeText, …)` for text over `maxNoticeBytes` or with a NUL (SQLite would keep only the part
    /// before it), `.invalid(.ownerID, …)` for an owner id that cannot name a space.
    public func publishNotice(_ text: String, for owner: Owner, by author: Member) async throws -> SpaceNotice {
        let bytes = text.utf8.count
        if bytes > Self.maxNoticeBytes {
            throw TrefoilError.invalid(.noticeText, "\(bytes) bytes is longer than \(Self.maxNoticeBytes)")
        }
        if !Self.isExact(text) { throw TrefoilError.invalid(.noticeText, "must not contain a NUL") }
        let now = clock()
        let notice = SpaceNotice(
            id: UUID().uuidString.lowercased(), owner: owner, text: text, author: author, publishedAt: now)
        try await write { db in
            let space = try Self.ensureSpace(db, owner, now: now, by: author)
            try db.execute(
                sql: """
                    INSERT INTO space_notice (id, space_id, text, author, author_name, published_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [notice.id, space.id!, text, author.id, author.name, now])
            try db.execute(
                sql: """
                    DELETE FROM space_notice WHERE space_id = ? AND rowid NOT IN (
                        SELECT rowid FROM space_notice WHERE space_id = ?
                        ORDER BY published_at DESC, rowid DESC LIMIT ?)
                    """, arguments: [space.id!, space.id!, Self.noticesPerSpace])
        }
        return notice
    }

    /// A space's notices, newest first (two published in the same second: the later one first); none for a space
    /// never written to.
    public func notices(of owner: Owner) async throws -> [SpaceNotice] {
        try await read { db in
            guard let space = try Self.space(db, owner) else { return [] }
            return try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, text, author, author_name, published_at FROM space_notice WHERE space_id = ?
                        ORDER BY published_at DESC, rowid DESC
                        """),
                arguments: [space.id!]
            ).map { row in
                SpaceNotice(
                    id: row[0], owner: owner, text: row[1], author: Member(id: row[2], name: row[3]),
                    publishedAt: row[4])
            }
        }
    }

    /// Deletes one notice of a space; `.noticeNotFound` when the space has no notice with that id.
    public func deleteNotice(_ id: String, of owner: Owner) async throws {
        guard Self.isExact(id) else { throw TrefoilError.noticeNotFound }
        try await write { db in
            guard let space = try Self.space(db, owner) else { throw TrefoilError.noticeNotFound }
            try db.execute(
                sql: "DELETE FROM space_notice WHERE id = ? AND space_id = ?", arguments: [id, space.id!])
            if db.changesCount == 0 { throw TrefoilError.noticeNotFound }
        }
    }
}

import Foundation
import GRDB
import Testing

@testable import TrefoilCore

/// A space's notices (a group's announcements): published, listed newest first, bounded per space, deleted.
@Suite("Space notices")
struct NoticeTests {
    let alice = Member(id: "42", name: "Alice")
    let bob = Member(id: "u2", name: "Bob")

    @Test("a published notice is listed with its text, author and time; the newest first, same-second ones too")
    func publishAndList() async throws {
        let store = try TestStore()
        let first = try await store.tree.publishNotice("first", for: .group("1"), by: alice)
        #expect(first.owner == .group("1"))
        #expect(first.text == "first")
        #expect(first.author == alice)
        #expect(first.publishedAt == store.clock.now)
        #expect(first.id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil)
        store.clock.advance(by: 5)
        let second = try await store.tree.publishNotice("second 中文 ✓", for: .group("1"), by: bob)
        // Published in the same second, in this order: the order is kept.
        let third = try await store.tree.publishNotice("third", for: .group("1"), by: alice)
        let fourth = try await store.tree.publishNotice("", for: .group("1"), by: alice)
        #expect(try await store.tree.notices(of: .group("1")) == [fourth, third, second, first])

        let other = try await store.tree.publishNotice("elsewhere", for: .group("2"), by: alice)
        #expect(try await store.tree.notices(of: .group("2")) == [other])
        #expect(try await store.tree.notices(of: .user("1")) == [])
        #expect(try await store.tree.notices(of: .group("never")) == [])
    }

    @Test("publishing creates the space as an upload does, and notices count toward no quota")
    func createsTheSpace() async throws {
        let store = try TestStore(
            settings: .with(.group) {
                $0.totalSpace = 1
                $0.fileLimit = 1
            })
        let text = String(repeating: "x", count: 1000)
        try await store.tree.publishNotice(text, for: .group("9"), by: alice)
        try await store.tree.publishNotice(text, for: .group("9"), by: alice)
        #expect(try await store.tree.owners(of: .group) == ["9"])
        #expect(
            try await store.tree.fileSystemInfo(of: .group("9"))
                == FileSystemInfo(fileCount: 0, limitCount: 1, usedSpace: 0, totalSpace: 1))
        #expect(try await store.tree.list(in: "9") == FolderListing(folders: [], files: []))
        try await store.tree.upload(chunks([1]), name: "f", to: .group("9"), by: alice)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("a space keeps its newest 100 notices; the 101st drops the oldest, in the same write")
    func boundedPerSpace() async throws {
        let store = try TestStore()
        var published: [SpaceNotice] = []
        for i in 0..<(FileTree.noticesPerSpace + 3) {
            if i % 7 == 0 { store.clock.advance(by: 1) }
            published.append(try await store.tree.publishNotice("n\(i)", for: .group("1"), by: alice))
        }
        try await store.tree.publishNotice("other", for: .group("2"), by: alice)
        #expect(FileTree.noticesPerSpace == 100)
        #expect(try await store.tree.notices(of: .group("1")) == Array(published.suffix(100).reversed()))
        #expect(try await store.tree.notices(of: .group("2")).count == 1)
    }

    @Test("a notice is deleted by its id in its own space; an unknown id or another space's is NOTICE_NOT_FOUND")
    func delete() async throws {
        let store = try TestStore()
        let kept = try await store.tree.publishNotice("kept", for: .group("1"), by: alice)
        let gone = try await store.tree.publishNotice("gone", for: .group("1"), by: alice)
        let elsewhere = try await store.tree.publishNotice("elsewhere", for: .group("2"), by: alice)
        #expect(await trefoilError { try await store.tree.deleteNotice(gone.id, of: .group("2")) } == .noticeNotFound)
        #expect(await trefoilError { try await store.tree.deleteNotice(gone.id, of: .user("1")) } == .noticeNotFound)
        try await store.tree.deleteNotice(gone.id, of: .group("1"))
        #expect(try await store.tree.notices(of: .group("1")) == [kept])
        #expect(await trefoilError { try await store.tree.deleteNotice(gone.id, of: .group("1")) } == .noticeNotFound)
        for id in ["", "nope", gone.id + "\0", kept.id.uppercased()] {
            #expect(await trefoilError { try await store.tree.deleteNotice(id, of: .group("1")) } == .noticeNotFound)
        }
        #expect(
            await trefoilError { try await store.tree.deleteNotice(kept.id, of: .group("never")) } == .noticeNotFound)
        #expect(try await store.tree.notices(of: .group("1")) == [kept])
        #expect(try await store.tree.notices(of: .group("2")) == [elsewhere])
        #expect(TrefoilError.noticeNotFound.description == "NOTICE_NOT_FOUND: notice not found")
    }

    @Test("text over 64 KiB of UTF-8, or with a NUL, is BAD_PARAM and nothing is published; 64 KiB exactly is kept")
    func sanityBound() async throws {
        let store = try TestStore()
        let limit = FileTree.maxNoticeBytes
        #expect(limit == 65_536)
        let exact = String(repeating: "é", count: limit / 2)
        let over = exact + "x"
        #expect(
            await trefoilError { _ = try await store.tree.publishNotice(over, for: .group("1"), by: alice) }
                == .invalid(.noticeText, "65537 bytes is longer than 65536"))
        #expect(
            await trefoilError { _ = try await store.tree.publishNotice("a\0b", for: .group("1"), by: alice) }
                == .invalid(.noticeText, "must not contain a NUL"))
        #expect(try await store.tree.notices(of: .group("1")) == [])
        #expect(try await store.tree.owners(of: .group) == [])
        let kept = try await store.tree.publishNotice(exact, for: .group("1"), by: alice)
        #expect(try await store.tree.notices(of: .group("1")).map(\.text) == [exact])
        #expect(kept.text == exact)
    }

    @Test("notices survive reopening the store, in their order")
    func persistence() async throws {
        let store = try TestStore()
        var published: [SpaceNotice] = []
        for text in ["a", "b", "c"] {
            published.append(try await store.tree.publishNotice(text, for: .group("1"), by: bob))
        }
        let again = try store.reopened()
        #expect(try await again.tree.notices(of: .group("1")) == published.reversed())
    }
}

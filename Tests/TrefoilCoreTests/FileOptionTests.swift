import Foundation
import GRDB
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// What an uploader asks of a file besides its bytes (an access secret, a preview box) is kept with the file.
@Suite("File options")
struct FileOptionTests {
    let alice = Member(id: "u1", name: "Alice")
    let options = FileOptions(secretRequired: true, previewBox: PreviewBox(width: 170, height: 120))

    @Test("options given at upload come back from every read of the file, also after a restart")
    func optionsComeBack() async throws {
        let store = try TestStore()
        let folder = try await store.tree.createFolder(named: "f", in: "1", by: alice)
        let file = try await store.tree.upload(
            chunks(Array("bytes".utf8)), name: "a.png", to: .group("1"), folder: folder.id, by: alice,
            options: options)
        #expect(file.options == options)
        #expect(try await store.tree.file(file.id).options == options)
        #expect(try await store.tree.file(file.id, of: .group("1")).options == options)
        #expect(try await store.tree.list(folder.id, in: "1").files.map(\.options) == [options])
        #expect(try await store.tree.files(of: .group("1"), limit: 10, offset: 0).map(\.options) == [options])
        #expect(try await store.tree.lookup(file.id) == .live(file))

        let staged = try await store.tree.stage(chunks(Array("staged".utf8)))
        let committed = try await store.tree.commit(
            staged, name: "b.png", to: Owner(.app, "app"), by: alice, options: FileOptions(secretRequired: true))
        #expect(committed.options == FileOptions(secretRequired: true, previewBox: nil))

        let again = try store.reopened()
        #expect(try await again.tree.file(file.id) == file)
        #expect(try await again.tree.file(committed.id) == committed)
    }

    @Test("a file stored without options asks for no secret and no preview box")
    func noOptions() async throws {
        let store = try TestStore()
        let file = try await store.upload("plain")
        #expect(file.options == FileOptions())
        #expect(file.options.secretRequired == false)
        #expect(file.options.previewBox == nil)
    }

    @Test("a preview box side outside 1 to 10000 is BAD_PARAM, and nothing is stored or left in tmp/")
    func previewBoxBounds() async throws {
        let store = try TestStore()
        for (width, height) in [(0, 5), (5, 0), (10_001, 5), (5, 10_001), (-1, -1)] {
            let bad = FileOptions(previewBox: PreviewBox(width: width, height: height))
            let reason = "width and height must be 1 to 10000, got \(width) × \(height)"
            #expect(
                await trefoilError {
                    _ = try await store.tree.upload(chunks([1]), name: "n", to: .group("1"), by: alice, options: bad)
                } == .invalid(.previewBox, reason))
            let staged = try await store.tree.stage(chunks([2]))
            #expect(
                await trefoilError {
                    _ = try await store.tree.commit(staged, name: "n", to: .group("1"), by: alice, options: bad)
                } == .invalid(.previewBox, reason))
        }
        #expect(try await store.tree.fileSystemInfo(of: .group("1")).fileCount == 0)
        #expect(store.tempFiles() == [])
        for side in [1, 10_000] {
            let box = PreviewBox(width: side, height: side)
            let file = try await store.tree.upload(
                chunks([UInt8(side % 256)]), name: "ok", to: .group("1"), by: alice,
                options: FileOptions(previewBox: box))
            #expect(file.options.previewBox == box)
        }
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
    }

    @Test("the schema itself refuses half a preview box, a side out of range and a secret flag other than 0 or 1")
    func schemaChecks() async throws {
        let store = try TestStore()
        let file = try await store.upload("x")
        for assignment in [
            "preview_width = 5", "preview_width = 0, preview_height = 5", "preview_width = 5, preview_height = 10001",
            "secret_required = 2",
        ] {
            await #expect(throws: DatabaseError.self, "\(assignment)") {
                try await store.tree.database.writer.write { db in
                    try db.execute(sql: "UPDATE file SET \(assignment) WHERE id = ?", arguments: [file.id.rawValue])
                }
            }
        }
        #expect(try await store.tree.file(file.id) == file)
    }
}

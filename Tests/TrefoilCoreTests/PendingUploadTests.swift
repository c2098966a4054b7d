import Crypto
import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `PendingUploads`: a file arriving in pieces (OneBot 12 fragments and Shamrock chunks at byte offsets, NapCat's
/// numbered chunks), finished into a staged file of a staging space, with its bounds, idle sweep and TTL.
@Suite("Pending uploads in pieces", .timeLimit(.minutes(1)))
struct PendingUploadTests {
    let alice = Member(id: "u1", name: "Alice")
    let bob = Member(id: "u2", name: "Bob")
    /// The staging space the tests finish into (a connection's, as the faces name them).
    let space = "conn-1"
    var staging: Owner { Owner(.staging, space) }

    /// The digests the store must report for `bytes`, computed here with swift-crypto, not by the store.
    func digests(_ bytes: [UInt8], sha3: Bool = false) -> Digests {
        Digests(
            sha256: SHA256.hash(data: bytes).hexString, md5: Insecure.MD5.hash(data: bytes).hexString,
            sha1: Insecure.SHA1.hash(data: bytes).hexString, sha3: sha3 ? SHA3_256.hash(data: bytes).hexString : "")
    }

    func finish(
        _ pending: PendingUploads, _ id: String, expected: ExpectedDigests = ExpectedDigests(), ttl: Int64 = 300
    ) async throws -> StoredFile {
        try await pending.finish(id, expected: expected, into: space, ttlSeconds: ttl, by: alice)
    }

    /// Writes `bytes[range]` at its offset.
    func send(_ pending: PendingUploads, _ id: String, _ bytes: [UInt8], _ range: Range<Int>) async throws {
        try await pending.write(id, at: Int64(range.lowerBound), Data(bytes[range]))
    }

    /// The whole stored file, read back through the store.
    func contents(_ store: TestStore, _ file: StoredFile) async throws -> [UInt8] {
        Array(try await store.tree.bytes(of: file, in: 0..<file.size))
    }

    /// Checks that `file` is the staged file of `bytes`, named `name`, and that nothing of its upload is left.
    func expectStaged(
        _ store: TestStore, _ pending: PendingUploads, _ file: StoredFile, _ id: String, bytes: [UInt8],
        name: String, sha3: Bool = false
    ) async throws {
        #expect(file.owner == staging)
        #expect(file.folderID == .root)
        #expect(file.name == name)
        #expect(file.size == Int64(bytes.count))
        #expect(file.digests == digests(bytes, sha3: sha3))
        #expect(file.lifetime == .temporary)
        #expect(file.uploader == "u1")
        #expect(try await contents(store, file) == bytes)
        #expect(try await store.tree.file(file.id, of: staging) == file)
        #expect(store.blobFiles().contains(file.digests.sha256))
        #expect(store.tempFiles() == [])
        #expect(await trefoilError { _ = try pending.status(id) } == .uploadNotFound)
        #expect(pending.held == (0, 0))
    }

    // MARK: - Byte offsets

    @Test("fragments sent last first, then the middle, then the first give a staged file with the bytes' digests")
    func outOfOrderFragments() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        // Past the 1 MiB read-back buffer of `finish`, with cuts that fall inside it.
        let bytes = pseudoRandomBytes((5 << 19) + 777, seed: 11)
        let total = Int64(bytes.count)
        let status = try await pending.begin("ob12:1", client: "c1", name: "report.bin", layout: .bytes(total: total))
        #expect(
            status
                == PendingStatus(
                    id: "ob12:1", name: "report.bin", layout: .bytes(total: total), receivedBytes: 0, receivedChunks: 0,
                    isComplete: false))
        #expect(store.tempFiles().count == 1)

        var received: Int64 = 0
        for range in [2_000_005..<bytes.count, 1_000_003..<2_000_005, 0..<1_000_003] {
            try await send(pending, "ob12:1", bytes, range)
            received += Int64(range.count)
            let now = try pending.status("ob12:1")
            #expect(now.receivedBytes == received)
            #expect(now.receivedChunks == 0)
            #expect(now.isComplete == (received == total))
        }
        let file = try await finish(pending, "ob12:1")
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "report.bin")
        #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [file])
    }

    @Test("fragments sent in order give the same digests, SHA3-256 too when the store computes it")
    func inOrderFragments() async throws {
        let store = try TestStore(settings: .init(computeSHA3: true))
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes((5 << 19) + 777, seed: 12)
        _ = try await pending.begin(
            "ob12:1", client: "c1", name: "  in/order.bin ", layout: .bytes(total: Int64(bytes.count)))
        for range in [0..<1, 1..<65_537, 65_537..<2_000_000, 2_000_000..<bytes.count] {
            try await send(pending, "ob12:1", bytes, range)
        }
        let file = try await finish(pending, "ob12:1")
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "in_order.bin", sha3: true)
    }

    @Test("a fragment re-sent with the same bytes is counted once and changes nothing")
    func resentSameFragment() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(300_000, seed: 13)
        _ = try await pending.begin("ob12:1", client: "c1", name: "a.bin", layout: .bytes(total: 300_000))
        try await send(pending, "ob12:1", bytes, 0..<100_000)
        try await send(pending, "ob12:1", bytes, 100_000..<200_000)
        try await send(pending, "ob12:1", bytes, 0..<100_000)
        try await send(pending, "ob12:1", bytes, 50_000..<150_000)
        #expect(try pending.status("ob12:1").receivedBytes == 200_000)
        try await send(pending, "ob12:1", bytes, 200_000..<300_000)
        try await send(pending, "ob12:1", bytes, 200_000..<300_000)
        #expect(try pending.status("ob12:1").receivedBytes == 300_000)
        let file = try await finish(pending, "ob12:1")
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "a.bin")
    }

    @Test("a fragment sent with wrong bytes and then re-sent right gives the digests of the final bytes")
    func correctedFragment() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(300_000, seed: 14)
        let wrong = pseudoRandomBytes(300_000, seed: 15)

        // Wrong bytes in the middle, arriving in order (so they are hashed on arrival), corrected after the end.
        _ = try await pending.begin("ob12:1", client: "c1", name: "a.bin", layout: .bytes(total: 300_000))
        try await send(pending, "ob12:1", bytes, 0..<100_000)
        try await send(pending, "ob12:1", wrong, 100_000..<200_000)
        try await send(pending, "ob12:1", bytes, 200_000..<300_000)
        try await send(pending, "ob12:1", bytes, 100_000..<200_000)
        #expect(try pending.status("ob12:1").receivedBytes == 300_000)
        let first = try await finish(pending, "ob12:1")
        try await expectStaged(store, pending, first, "ob12:1", bytes: bytes, name: "a.bin")

        // Wrong bytes at the end, arriving first, corrected by the piece that continues the hashed prefix.
        let other = pseudoRandomBytes(300_000, seed: 16)
        _ = try await pending.begin("ob12:2", client: "c1", name: "b.bin", layout: .bytes(total: 300_000))
        try await send(pending, "ob12:2", wrong, 200_000..<300_000)
        try await send(pending, "ob12:2", other, 0..<100_000)
        try await send(pending, "ob12:2", other, 100_000..<200_000)
        try await send(pending, "ob12:2", other, 200_000..<300_000)
        let second = try await finish(pending, "ob12:2")
        try await expectStaged(store, pending, second, "ob12:2", bytes: other, name: "b.bin")

        // The whole file first wrong, then right from the first byte.
        let third = pseudoRandomBytes(300_000, seed: 17)
        _ = try await pending.begin("ob12:3", client: "c1", name: "c.bin", layout: .bytes(total: 300_000))
        try await send(pending, "ob12:3", wrong, 0..<300_000)
        try await send(pending, "ob12:3", third, 0..<150_000)
        try await send(pending, "ob12:3", third, 150_000..<300_000)
        let last = try await finish(pending, "ob12:3")
        try await expectStaged(store, pending, last, "ob12:3", bytes: third, name: "c.bin")
    }

    @Test("a zero-byte upload is complete at once and finishes into an empty staged file")
    func zeroBytes() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let status = try await pending.begin("ob12:0", client: "c1", name: "empty", layout: .bytes(total: 0))
        #expect(status.isComplete)
        #expect(status.receivedBytes == 0)
        try await pending.write("ob12:0", at: 0, Data())
        let file = try await finish(pending, "ob12:0")
        #expect(file.digests.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(file.digests.md5 == "d41d8cd98f00b204e9800998ecf8427e")
        try await expectStaged(store, pending, file, "ob12:0", bytes: [], name: "empty")
        #expect(try await store.tree.bytes(of: file, in: 0..<10) == Data())
    }

    @Test("finishing with bytes missing is uploadIncomplete naming them; the upload stays pending and finishes later")
    func gapStaysPending() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(30, seed: 18)
        _ = try await pending.begin("ob12:1", client: "c1", name: "gap.bin", layout: .bytes(total: 30))

        #expect(
            await trefoilError { _ = try await finish(pending, "ob12:1") }
                == .uploadIncomplete("30 of 30 bytes are missing, the first at offset 0"))
        try await send(pending, "ob12:1", bytes, 20..<30)
        #expect(
            await trefoilError { _ = try await finish(pending, "ob12:1") }
                == .uploadIncomplete("20 of 30 bytes are missing, the first at offset 0"))
        try await send(pending, "ob12:1", bytes, 0..<10)
        #expect(
            await trefoilError { _ = try await finish(pending, "ob12:1") }
                == .uploadIncomplete("10 of 30 bytes are missing, the first at offset 10"))
        try await send(pending, "ob12:1", bytes, 10..<19)
        #expect(
            await trefoilError { _ = try await finish(pending, "ob12:1") }
                == .uploadIncomplete("1 of 30 bytes are missing, the first at offset 19"))
        #expect(
            try pending.status("ob12:1")
                == PendingStatus(
                    id: "ob12:1", name: "gap.bin", layout: .bytes(total: 30), receivedBytes: 29, receivedChunks: 0,
                    isComplete: false))
        #expect(store.tempFiles().count == 1)
        #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [])

        try await send(pending, "ob12:1", bytes, 19..<20)
        #expect(try pending.status("ob12:1").isComplete)
        let file = try await finish(pending, "ob12:1")
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "gap.bin")
    }

    @Test("a piece outside the file is invalid piece and changes nothing")
    func pieceOutsideFile() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(100, seed: 19)
        _ = try await pending.begin("ob12:1", client: "c1", name: "a.bin", layout: .bytes(total: 100))
        try await send(pending, "ob12:1", bytes, 0..<90)
        let before = try pending.status("ob12:1")
        let junk = Data(repeating: 0xAB, count: 10)

        #expect(
            await trefoilError { try await pending.write("ob12:1", at: -1, junk) }
                == .invalid(.piece, "bytes -1 to 9 fall outside the file's 100 bytes"))
        #expect(
            await trefoilError { try await pending.write("ob12:1", at: 95, junk) }
                == .invalid(.piece, "bytes 95 to 105 fall outside the file's 100 bytes"))
        #expect(
            await trefoilError { try await pending.write("ob12:1", at: 101, Data()) }
                == .invalid(.piece, "bytes 101 to 101 fall outside the file's 100 bytes"))
        #expect(
            await trefoilError { try await pending.write("ob12:1", at: .max, junk) }
                == .invalid(.piece, "bytes 9223372036854775807 to beyond fall outside the file's 100 bytes"))
        #expect(
            await trefoilError { try await pending.writeChunk("ob12:1", index: 0, junk) }
                == .internalError("a chunk index was given to an upload of byte offsets"))
        #expect(try pending.status("ob12:1") == before)

        try await send(pending, "ob12:1", bytes, 90..<100)
        let file = try await finish(pending, "ob12:1")
        // The bytes read back, not only the digests: 0..<90 was hashed on arrival, before the refused writes.
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "a.bin")
    }

    @Test("a layout that cannot be a file is refused at begin and leaves no temp file")
    func badLayouts() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        #expect(
            await trefoilError { _ = try await pending.begin("x", client: "c1", name: "a", layout: .bytes(total: -1)) }
                == .invalid(.piece, "a file cannot have -1 bytes"))
        #expect(
            await trefoilError {
                _ = try await pending.begin("x", client: "c1", name: "a", layout: .chunks(count: 0, fileSize: nil))
            } == .invalid(.piece, "an upload needs at least one chunk"))
        #expect(
            await trefoilError {
                _ = try await pending.begin("x", client: "c1", name: "a", layout: .chunks(count: 1, fileSize: -5))
            } == .invalid(.piece, "a file cannot have -5 bytes"))
        #expect(
            await trefoilError { _ = try await pending.begin("x", client: "c1", name: " ", layout: .bytes(total: 1)) }
                == .invalid(.fileName, "empty after trimming"))
        #expect(store.tempFiles() == [])
        #expect(pending.held == (0, 0))
        #expect(await trefoilError { _ = try pending.status("x") } == .uploadNotFound)
    }

    // MARK: - Digests given by the client

    @Test("a sha256 or md5 that does not match, given at begin or at finish, is digestMismatch and stores nothing")
    func digestMismatch() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(70_000, seed: 20)
        let actual = digests(bytes)
        let other = digests(pseudoRandomBytes(70_000, seed: 21))
        let cases: [(begin: ExpectedDigests, finish: ExpectedDigests, message: String)] = [
            (
                ExpectedDigests(sha256: other.sha256), ExpectedDigests(),
                "sha256 mismatch: expected \(other.sha256), got \(actual.sha256)"
            ),
            (
                ExpectedDigests(), ExpectedDigests(sha256: other.sha256.uppercased()),
                "sha256 mismatch: expected \(other.sha256), got \(actual.sha256)"
            ),
            (
                ExpectedDigests(md5: other.md5), ExpectedDigests(),
                "md5 mismatch: expected \(other.md5), got \(actual.md5)"
            ),
            (
                ExpectedDigests(sha256: actual.sha256), ExpectedDigests(md5: other.md5),
                "md5 mismatch: expected \(other.md5), got \(actual.md5)"
            ),
        ]
        for (index, given) in cases.enumerated() {
            let id = "ob12:\(index)"
            _ = try await pending.begin(
                id, client: "c1", name: "a.bin", layout: .bytes(total: 70_000), expected: given.begin)
            // Out of order for the first two, in order for the others: both ways of hashing are checked.
            let ranges = index < 2 ? [35_000..<70_000, 0..<35_000] : [0..<35_000, 35_000..<70_000]
            for range in ranges { try await send(pending, id, bytes, range) }
            #expect(
                await trefoilError { _ = try await finish(pending, id, expected: given.finish) }
                    == .digestMismatch(given.message))
            #expect(await trefoilError { _ = try pending.status(id) } == .uploadNotFound)
            #expect(await trefoilError { try await send(pending, id, bytes, 0..<1) } == .uploadNotFound)
            #expect(await trefoilError { _ = try await finish(pending, id) } == .uploadNotFound)
            #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [])
            #expect(store.tempFiles() == [])
            #expect(store.blobFiles() == [])
            #expect(pending.held == (0, 0))
        }
    }

    @Test("digests that match, in either case of hex and given at both ends, let the upload finish")
    func digestsMatch() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(1000, seed: 22)
        let expected = digests(bytes)
        _ = try await pending.begin(
            "ob12:1", client: "c1", name: "a.bin", layout: .bytes(total: 1000),
            expected: ExpectedDigests(sha256: expected.sha256.uppercased(), md5: expected.md5))
        try await send(pending, "ob12:1", bytes, 0..<1000)
        let file = try await finish(
            pending, "ob12:1", expected: ExpectedDigests(sha256: expected.sha256, md5: expected.md5.uppercased()))
        try await expectStaged(store, pending, file, "ob12:1", bytes: bytes, name: "a.bin")
    }

    @Test("a digest that is not hex of its length is invalid digest: refused at begin, and at finish the upload stays")
    func malformedDigests() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let sha = digests([1, 2, 3]).sha256
        let md5 = digests([1, 2, 3]).md5
        let bad: [(ExpectedDigests, TrefoilError)] = [
            (ExpectedDigests(sha256: String(sha.dropLast())), .invalid(.digest, "sha256 must be 64 hex digits")),
            (ExpectedDigests(sha256: sha + "0"), .invalid(.digest, "sha256 must be 64 hex digits")),
            (ExpectedDigests(sha256: "g" + sha.dropFirst()), .invalid(.digest, "sha256 must be 64 hex digits")),
            (ExpectedDigests(sha256: ""), .invalid(.digest, "sha256 must be 64 hex digits")),
            (ExpectedDigests(md5: sha), .invalid(.digest, "md5 must be 32 hex digits")),
            (ExpectedDigests(md5: "z" + md5.dropFirst()), .invalid(.digest, "md5 must be 32 hex digits")),
        ]
        for (expected, error) in bad {
            #expect(
                await trefoilError {
                    _ = try await pending.begin(
                        "x", client: "c1", name: "a", layout: .bytes(total: 3), expected: expected)
                } == error)
        }
        #expect(store.tempFiles() == [])
        #expect(pending.held == (0, 0))

        _ = try await pending.begin("ob12:1", client: "c1", name: "a.bin", layout: .bytes(total: 3))
        try await pending.write("ob12:1", at: 0, Data([1, 2, 3]))
        for (expected, error) in bad {
            #expect(await trefoilError { _ = try await finish(pending, "ob12:1", expected: expected) } == error)
        }
        #expect(try pending.status("ob12:1").isComplete)
        let file = try await finish(pending, "ob12:1", expected: ExpectedDigests(sha256: sha, md5: md5))
        try await expectStaged(store, pending, file, "ob12:1", bytes: [1, 2, 3], name: "a.bin")
    }

    // MARK: - Numbered chunks

    @Test("chunks of unequal sizes arriving 2, 0, 1 give the bytes in index order")
    func chunksOutOfOrder() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let parts = [pseudoRandomBytes(5000, seed: 23), pseudoRandomBytes(1_100_001, seed: 24), [0x42]]
        let bytes = Array(parts.joined())
        let layout = PendingLayout.chunks(count: 3, fileSize: nil)
        _ = try await pending.begin("napcat:s", client: "c1", name: "movie.mp4", layout: layout)
        var received: Int64 = 0
        for (n, index) in [2, 0, 1].enumerated() {
            let status = try await pending.writeChunk("napcat:s", index: index, Data(parts[index]))
            received += Int64(parts[index].count)
            #expect(
                status
                    == PendingStatus(
                        id: "napcat:s", name: "movie.mp4", layout: layout, receivedBytes: received,
                        receivedChunks: n + 1, isComplete: n == 2))
        }
        let file = try await finish(pending, "napcat:s")
        try await expectStaged(store, pending, file, "napcat:s", bytes: bytes, name: "movie.mp4")
    }

    @Test("chunks arriving in order give the bytes with their digests")
    func chunksInOrder() async throws {
        let store = try TestStore(settings: .init(computeSHA3: true))
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let parts = [pseudoRandomBytes(1_048_577, seed: 25), pseudoRandomBytes(3, seed: 26), pseudoRandomBytes(40_000)]
        let bytes = Array(parts.joined())
        _ = try await pending.begin(
            "napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 3, fileSize: Int64(bytes.count)))
        for index in 0..<3 { try await pending.writeChunk("napcat:s", index: index, Data(parts[index])) }
        let file = try await finish(pending, "napcat:s")
        try await expectStaged(store, pending, file, "napcat:s", bytes: bytes, name: "a.bin", sha3: true)
    }

    @Test("a chunk received again is ignored, even with other bytes: the count, the size and the digests stay")
    func repeatedChunk() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let parts = [pseudoRandomBytes(10, seed: 27), pseudoRandomBytes(20, seed: 28)]
        // The file's size is exact: a repeated chunk counted against it would refuse the last chunk.
        _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 2, fileSize: 30))
        let first = try await pending.writeChunk("napcat:s", index: 1, Data(parts[1]))
        #expect(first.receivedChunks == 1)
        #expect(first.receivedBytes == 20)
        #expect(try await pending.writeChunk("napcat:s", index: 1, Data(parts[1])) == first)
        #expect(try await pending.writeChunk("napcat:s", index: 1, Data(pseudoRandomBytes(20, seed: 29))) == first)
        #expect(try await pending.writeChunk("napcat:s", index: 1, Data([1])) == first)
        try await pending.writeChunk("napcat:s", index: 0, Data(parts[0]))
        let whole = try pending.status("napcat:s")
        #expect(try await pending.writeChunk("napcat:s", index: 0, Data(pseudoRandomBytes(10, seed: 30))) == whole)
        #expect(whole.receivedChunks == 2)
        #expect(whole.receivedBytes == 30)
        let file = try await finish(pending, "napcat:s")
        try await expectStaged(store, pending, file, "napcat:s", bytes: Array(parts.joined()), name: "a.bin")
    }

    @Test("a chunk index out of range is invalid piece and changes nothing")
    func chunkIndexOutOfRange() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let parts = [pseudoRandomBytes(4, seed: 31), pseudoRandomBytes(6, seed: 32)]
        _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 2, fileSize: 10))
        try await pending.writeChunk("napcat:s", index: 0, Data(parts[0]))
        let before = try pending.status("napcat:s")
        #expect(
            await trefoilError { try await pending.writeChunk("napcat:s", index: 2, Data(parts[1])) }
                == .invalid(.piece, "chunk index 2 is not in 0..<2"))
        #expect(
            await trefoilError { try await pending.write("napcat:s", at: 0, Data(parts[1])) }
                == .internalError("a byte offset was given to an upload of numbered chunks"))
        #expect(try pending.status("napcat:s") == before)
        #expect(
            await trefoilError { try await pending.writeChunk("napcat:s", index: -1, Data(parts[1])) }
                == .invalid(.piece, "chunk index -1 is not in 0..<2"))
        // The refused chunks must not count against the file's size: the last 6 of its 10 bytes still fit.
        try await pending.writeChunk("napcat:s", index: 1, Data(parts[1]))
        let file = try await finish(pending, "napcat:s")
        try await expectStaged(store, pending, file, "napcat:s", bytes: Array(parts.joined()), name: "a.bin")

        // Nor against the bytes bound, when the file's size is unknown.
        _ = try await pending.begin("napcat:t", client: "c1", name: "b", layout: .chunks(count: 1, fileSize: nil))
        #expect(
            await trefoilError { try await pending.writeChunk("napcat:t", index: 1, Data(count: 100)) }
                == .invalid(.piece, "chunk index 1 is not in 0..<1"))
        #expect(pending.held == (1, 0))
    }

    @Test("chunks adding up to more than the file's size are refused; a smaller chunk then fits")
    func chunksPastFileSize() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 2, fileSize: 10))
        try await pending.writeChunk("napcat:s", index: 0, Data(repeating: 1, count: 6))
        #expect(
            await trefoilError { try await pending.writeChunk("napcat:s", index: 1, Data(repeating: 2, count: 5)) }
                == .invalid(.piece, "the chunks add up to more than the file's 10 bytes"))
        #expect(try pending.status("napcat:s").receivedChunks == 1)
        #expect(try pending.status("napcat:s").receivedBytes == 6)
        #expect(
            await trefoilError { _ = try await finish(pending, "napcat:s") }
                == .uploadIncomplete("1 of 2 chunks are missing, the first is chunk 1"))
        try await pending.writeChunk("napcat:s", index: 1, Data(repeating: 2, count: 4))
        let file = try await finish(pending, "napcat:s")
        let bytes = [UInt8](repeating: 1, count: 6) + [UInt8](repeating: 2, count: 4)
        try await expectStaged(store, pending, file, "napcat:s", bytes: bytes, name: "a.bin")
    }

    @Test("chunks adding up to less than the declared file size are refused at finish, and nothing is stored")
    func chunksShortOfFileSize() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 2, fileSize: 10))
        try await pending.writeChunk("napcat:s", index: 1, Data(repeating: 2, count: 3))
        try await pending.writeChunk("napcat:s", index: 0, Data(repeating: 1, count: 6))
        #expect(
            await trefoilError { _ = try await finish(pending, "napcat:s") }
                == .invalid(.piece, "the 2 chunks add up to 9 bytes, not the file_size of 10"))
        #expect(await trefoilError { _ = try pending.status("napcat:s") } == .uploadNotFound)
        #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [])
        #expect(store.tempFiles() == [])
        #expect(pending.held == (0, 0))
    }

    @Test("a sha256 mismatch on chunks that came out of order stores nothing and leaves no temp file")
    func chunkDigestMismatch() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let parts = [pseudoRandomBytes(7, seed: 33), pseudoRandomBytes(9, seed: 34)]
        let wanted = digests(pseudoRandomBytes(16, seed: 35)).sha256
        let got = digests(Array(parts.joined())).sha256
        for (id, order) in [("napcat:in", [0, 1]), ("napcat:out", [1, 0])] {
            _ = try await pending.begin(
                id, client: "c1", name: "a.bin", layout: .chunks(count: 2, fileSize: nil),
                expected: ExpectedDigests(sha256: wanted))
            for index in order { try await pending.writeChunk(id, index: index, Data(parts[index])) }
            #expect(
                await trefoilError { _ = try await finish(pending, id) }
                    == .digestMismatch("sha256 mismatch: expected \(wanted), got \(got)"))
            #expect(await trefoilError { _ = try pending.status(id) } == .uploadNotFound)
            #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [])
            #expect(store.blobFiles() == [])
            #expect(store.tempFiles() == [], "after \(id)")
        }
    }

    // MARK: - Bounds

    @Test("a client may hold maxPerClient uploads and all clients maxTotal; a refused begin leaves no temp file")
    func countBounds() async throws {
        let store = try TestStore()
        let pending = PendingUploads(
            tree: store.tree, limits: .init(maxPerClient: 2, maxTotal: 3, maxBytes: 1000, idleSeconds: 60))
        _ = try await pending.begin("u1", client: "c1", name: "a", layout: .bytes(total: 10))
        _ = try await pending.begin("u2", client: "c1", name: "a", layout: .chunks(count: 2, fileSize: nil))
        #expect(
            await trefoilError { _ = try await pending.begin("u3", client: "c1", name: "a", layout: .bytes(total: 10)) }
                == .tooManyPendingUploads("this connection has 2 pending uploads, the most one may hold"))
        #expect(store.tempFiles().count == 2)
        #expect(await trefoilError { _ = try pending.status("u3") } == .uploadNotFound)

        _ = try await pending.begin("u3", client: "c2", name: "a", layout: .bytes(total: 10))
        #expect(
            await trefoilError { _ = try await pending.begin("u4", client: "c3", name: "a", layout: .bytes(total: 10)) }
                == .tooManyPendingUploads("3 uploads are pending, the most the gateway holds"))
        #expect(store.tempFiles().count == 3)
        #expect(pending.held == (3, 20))

        // A finished or cancelled upload frees its place.
        try await pending.write("u1", at: 0, Data(count: 10))
        _ = try await finish(pending, "u1")
        _ = try await pending.begin("u4", client: "c3", name: "a", layout: .bytes(total: 10))
        #expect(await pending.cancel("u2"))
        _ = try await pending.begin("u5", client: "c1", name: "a", layout: .bytes(total: 10))
        #expect(pending.held == (3, 30))
        #expect(store.tempFiles().count == 3)
    }

    @Test("the bytes of all pending uploads are bounded, at begin and as chunks of unknown total arrive")
    func bytesBound() async throws {
        let store = try TestStore()
        let pending = PendingUploads(
            tree: store.tree, limits: .init(maxPerClient: 10, maxTotal: 10, maxBytes: 1000, idleSeconds: 60))
        _ = try await pending.begin("a", client: "c1", name: "a", layout: .bytes(total: 600))
        #expect(
            await trefoilError { _ = try await pending.begin("b", client: "c2", name: "b", layout: .bytes(total: 401)) }
                == .tooManyPendingUploads("pending uploads hold 600 bytes; 401 more would pass the bound of 1000"))
        #expect(
            await trefoilError {
                _ = try await pending.begin("b", client: "c2", name: "b", layout: .chunks(count: 2, fileSize: 401))
            } == .tooManyPendingUploads("pending uploads hold 600 bytes; 401 more would pass the bound of 1000"))
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, 600))

        _ = try await pending.begin("b", client: "c2", name: "b", layout: .chunks(count: 3, fileSize: nil))
        #expect(pending.held == (2, 600))
        try await pending.writeChunk("b", index: 0, Data(count: 300))
        #expect(pending.held == (2, 900))
        #expect(
            await trefoilError { try await pending.writeChunk("b", index: 1, Data(count: 101)) }
                == .tooManyPendingUploads("pending uploads hold 600 bytes; this chunk would pass the bound of 1000"))
        #expect(try pending.status("b").receivedChunks == 1)
        #expect(pending.held == (2, 900))
        try await pending.writeChunk("b", index: 1, Data(count: 100))
        #expect(pending.held == (2, 1000))
        #expect(
            await trefoilError { try await pending.writeChunk("b", index: 2, Data(count: 1)) }
                == .tooManyPendingUploads("pending uploads hold 600 bytes; this chunk would pass the bound of 1000"))
        #expect(
            await trefoilError { _ = try await pending.begin("c", client: "c3", name: "c", layout: .bytes(total: 1)) }
                == .tooManyPendingUploads("pending uploads hold 1000 bytes; 1 more would pass the bound of 1000"))
        // An empty file reserves nothing, so it still fits.
        _ = try await pending.begin("c", client: "c3", name: "c", layout: .bytes(total: 0))
        #expect(store.tempFiles().count == 3)

        await pending.cancel("a")
        try await pending.writeChunk("b", index: 2, Data(count: 1))
        #expect(pending.held == (2, 401))
    }

    @Test("a file larger than max_file_bytes is fileTooLarge, declared at begin or reached by its chunks")
    func fileTooLarge() async throws {
        let store = try TestStore(settings: .init(maxFileBytes: 100))
        let pending = PendingUploads(tree: store.tree, limits: .init())
        #expect(
            await trefoilError { _ = try await pending.begin("a", client: "c1", name: "a", layout: .bytes(total: 101)) }
                == .fileTooLarge)
        #expect(
            await trefoilError {
                _ = try await pending.begin("a", client: "c1", name: "a", layout: .chunks(count: 2, fileSize: 101))
            } == .fileTooLarge)
        #expect(store.tempFiles() == [])
        #expect(pending.held == (0, 0))

        _ = try await pending.begin("a", client: "c1", name: "a", layout: .bytes(total: 100))
        _ = try await pending.begin("b", client: "c1", name: "b", layout: .chunks(count: 3, fileSize: nil))
        try await pending.writeChunk("b", index: 0, Data(count: 60))
        #expect(await trefoilError { try await pending.writeChunk("b", index: 1, Data(count: 41)) } == .fileTooLarge)
        #expect(try pending.status("b").receivedBytes == 60)
        try await pending.writeChunk("b", index: 1, Data(count: 40))
        #expect(await trefoilError { try await pending.writeChunk("b", index: 2, Data(count: 1)) } == .fileTooLarge)
        try await pending.writeChunk("b", index: 2, Data())
        let file = try await finish(pending, "b")
        #expect(file.size == 100)
    }

    // MARK: - Idle uploads, TTL, restart

    @Test("an upload idle past idleSeconds is swept with its temp file; one touched recently survives")
    func idleSweep() async throws {
        let store = try TestStore()
        let pending = PendingUploads(
            tree: store.tree, limits: .init(maxPerClient: 10, maxTotal: 10, maxBytes: 1000, idleSeconds: 60))
        _ = try await pending.begin("idle", client: "c1", name: "a", layout: .bytes(total: 10))
        _ = try await pending.begin("busy", client: "c1", name: "b", layout: .bytes(total: 10))
        try await pending.write("idle", at: 0, Data(count: 5))

        store.clock.advance(by: 30)
        try await pending.write("busy", at: 0, Data(count: 5))
        store.clock.advance(by: 30)
        #expect(await pending.sweep() == 0)
        #expect(store.tempFiles().count == 2)

        store.clock.advance(by: 1)
        #expect(await pending.sweep() == 1)
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, 10))
        #expect(await trefoilError { _ = try pending.status("idle") } == .uploadNotFound)
        #expect(await trefoilError { try await pending.write("idle", at: 5, Data(count: 5)) } == .uploadNotFound)
        #expect(await trefoilError { _ = try await finish(pending, "idle") } == .uploadNotFound)
        #expect(try pending.status("busy").receivedBytes == 5)
        #expect(await pending.sweep() == 0)

        // `begin` sweeps too.
        store.clock.advance(by: 30)
        _ = try await pending.begin("new", client: "c1", name: "c", layout: .bytes(total: 10))
        #expect(await trefoilError { _ = try pending.status("busy") } == .uploadNotFound)
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, 10))
    }

    @Test("a staged file lives ttlSeconds: not found once they pass, then removed by expireFiles; begin's TTL wins")
    func stagedTTL() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(50, seed: 36)
        _ = try await pending.begin("a", client: "c1", name: "a.bin", layout: .bytes(total: 50))
        try await send(pending, "a", bytes, 0..<50)
        let file = try await finish(pending, "a", ttl: 300)
        #expect(file.deadTime == store.clock.now + 300)
        #expect(file.lifetime == .temporary)

        _ = try await pending.begin("b", client: "c1", name: "b.bin", layout: .bytes(total: 1), ttlSeconds: 60)
        try await pending.write("b", at: 0, Data([7]))
        let short = try await finish(pending, "b", ttl: 300)
        #expect(short.deadTime == store.clock.now + 60)

        _ = try await pending.begin("c", client: "c1", name: "c.bin", layout: .bytes(total: 1))
        try await pending.write("c", at: 0, Data([8]))
        #expect(try await finish(pending, "c", ttl: 0).deadTime == store.clock.now + 1)

        store.clock.advance(by: 299)
        #expect(try await store.tree.file(file.id, of: staging) == file)
        #expect(await trefoilError { _ = try await store.tree.file(short.id, of: staging) } == .fileNotFound)
        #expect(try await store.tree.expireFiles() == 2)
        #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [file])

        store.clock.advance(by: 2)
        #expect(await trefoilError { _ = try await store.tree.file(file.id, of: staging) } == .fileNotFound)
        #expect(try await store.tree.files(of: staging, limit: 10, offset: 0) == [])
        #expect(try await store.tree.expireFiles() == 1)
        #expect(try await store.tree.expireFiles() == 0)
        #expect(store.blobFiles() == [])
        #expect(try await store.refCount(of: file.digests.sha256) == nil)
    }

    @Test("a staged file survives a restart; a pending upload does not, and its temp file is removed")
    func restart() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(4096, seed: 37)
        _ = try await pending.begin("done", client: "c1", name: "done.bin", layout: .bytes(total: 4096))
        try await send(pending, "done", bytes, 0..<4096)
        let file = try await finish(pending, "done", ttl: 300)
        _ = try await pending.begin("half", client: "c1", name: "half.bin", layout: .bytes(total: 4096))
        try await send(pending, "half", bytes, 0..<2048)
        _ = try await pending.begin("chunks", client: "c1", name: "c.bin", layout: .chunks(count: 2, fileSize: nil))
        try await pending.writeChunk("chunks", index: 1, Data(bytes[0..<10]))
        #expect(store.tempFiles().count == 2)

        let restarted = try store.reopened()
        #expect(restarted.tempFiles() == [])
        #expect(try await restarted.tree.file(file.id, of: staging) == file)
        #expect(try await contents(restarted, file) == bytes)
        let fresh = PendingUploads(tree: restarted.tree, limits: .init())
        for id in ["done", "half", "chunks"] {
            #expect(await trefoilError { _ = try fresh.status(id) } == .uploadNotFound)
        }
        #expect(await trefoilError { try await send(fresh, "half", bytes, 2048..<4096) } == .uploadNotFound)
        #expect(await trefoilError { try await fresh.writeChunk("chunks", index: 0, Data()) } == .uploadNotFound)
        #expect(await trefoilError { _ = try await finish(fresh, "half") } == .uploadNotFound)
        #expect(fresh.held == (0, 0))

        // Its TTL still runs after the restart.
        restarted.clock.advance(by: 300)
        #expect(try await restarted.tree.expireFiles() == 1)
        #expect(restarted.blobFiles() == [])
    }

    // MARK: - Using a staged file

    @Test("a staged file linked into two groups is one blob referenced three times; ranges read exactly, clipped")
    func linkedTwice() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(100_000, seed: 38)
        _ = try await pending.begin("a", client: "c1", name: "shared.bin", layout: .bytes(total: 100_000))
        try await send(pending, "a", bytes, 50_000..<100_000)
        try await send(pending, "a", bytes, 0..<50_000)
        let staged = try await finish(pending, "a", ttl: 60)

        let first = try await store.tree.link(staged, to: .group("1"), by: bob)
        let second = try await store.tree.link(staged, to: .group("2"), by: bob)
        #expect(first.digests.sha256 == digests(bytes).sha256)
        #expect(second.digests.sha256 == digests(bytes).sha256)
        #expect(first.id != second.id)
        #expect(first.name == "shared.bin")
        #expect(first.lifetime == .permanent)
        #expect(try await store.tree.file(first.id, of: .group("1")) == first)
        #expect(try await store.tree.file(second.id, of: .group("2")) == second)
        #expect(try await store.refCount(of: staged.digests.sha256) == 3)
        #expect(store.blobFiles() == [staged.digests.sha256])
        #expect(store.tempFiles() == [])

        #expect(try await store.tree.bytes(of: first, in: 12_345..<67_890) == Data(bytes[12_345..<67_890]))
        #expect(try await store.tree.bytes(of: second, in: 99_990..<100_100) == Data(bytes[99_990..<100_000]))
        #expect(try await store.tree.bytes(of: staged, in: 0..<1) == Data(bytes[0..<1]))
        #expect(try await store.tree.bytes(of: staged, in: 100_000..<100_010) == Data())
        #expect(try await store.tree.bytes(of: staged, in: 200_000..<200_010) == Data())

        // The staged file expires; the group files keep the blob.
        store.clock.advance(by: 60)
        #expect(try await store.tree.expireFiles() == 1)
        #expect(try await store.refCount(of: staged.digests.sha256) == 2)
        #expect(try await contents(store, second) == bytes)
        #expect(try await store.tree.checkConsistency(repair: false) == ConsistencyReport())
    }

    // MARK: - Cancelling and resuming

    @Test("cancel removes one upload and its temp file; cancelAll only those whose id matches")
    func cancelling() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        _ = try await pending.begin("ob12:a", client: "c1", name: "a", layout: .bytes(total: 10))
        _ = try await pending.begin("ob12:b", client: "c1", name: "b", layout: .bytes(total: 10))
        _ = try await pending.begin("napcat:c", client: "c2", name: "c", layout: .chunks(count: 2, fileSize: nil))
        try await pending.write("ob12:a", at: 0, Data(count: 4))
        #expect(store.tempFiles().count == 3)

        #expect(await pending.cancel("ob12:a"))
        #expect(await pending.cancel("ob12:a") == false)
        #expect(await pending.cancel("nothing") == false)
        #expect(await trefoilError { _ = try pending.status("ob12:a") } == .uploadNotFound)
        #expect(await trefoilError { try await pending.write("ob12:a", at: 4, Data(count: 6)) } == .uploadNotFound)
        #expect(store.tempFiles().count == 2)
        #expect(pending.held == (2, 10))

        _ = try await pending.begin("ob12:d", client: "c1", name: "d", layout: .bytes(total: 10))
        #expect(await pending.cancelAll(where: { $0.hasPrefix("ob12:") }) == 2)
        #expect(await pending.cancelAll(where: { $0.hasPrefix("ob12:") }) == 0)
        #expect(await trefoilError { _ = try pending.status("ob12:b") } == .uploadNotFound)
        #expect(await trefoilError { _ = try pending.status("ob12:d") } == .uploadNotFound)
        #expect(try pending.status("napcat:c").receivedChunks == 0)
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, 0))
    }

    @Test("begin reusing an id gives the pending upload of the same layout; another layout is invalid piece")
    func reusing() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let layout = PendingLayout.chunks(count: 3, fileSize: 30)
        _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: layout)
        let status = try await pending.writeChunk("napcat:s", index: 0, Data(count: 10))
        #expect(
            try await pending.begin("napcat:s", client: "c1", name: "other.bin", layout: layout, reusing: true)
                == status)
        #expect(
            await trefoilError {
                _ = try await pending.begin(
                    "napcat:s", client: "c1", name: "a.bin", layout: .chunks(count: 4, fileSize: 30), reusing: true)
            } == .invalid(.piece, "the pending upload napcat:s has another size or chunk count"))
        #expect(
            await trefoilError {
                _ = try await pending.begin(
                    "napcat:s", client: "c1", name: "a.bin", layout: .bytes(total: 30), reusing: true)
            } == .invalid(.piece, "the pending upload napcat:s has another size or chunk count"))
        #expect(
            await trefoilError { _ = try await pending.begin("napcat:s", client: "c1", name: "a.bin", layout: layout) }
                == .internalError("a pending upload with id napcat:s exists"))
        #expect(try pending.status("napcat:s") == status)
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, 30))

        // Reusing an id with nothing pending begins a new upload.
        let fresh = try await pending.begin("ob12:x", client: "c1", name: "x", layout: .bytes(total: 5), reusing: true)
        #expect(
            fresh
                == PendingStatus(
                    id: "ob12:x", name: "x", layout: .bytes(total: 5), receivedBytes: 0, receivedChunks: 0,
                    isComplete: false))
        #expect(store.tempFiles().count == 2)
    }

    // MARK: - Concurrency

    @Test("eight fragments of one upload written concurrently, then finished, give the bytes' digests")
    func concurrentFragments() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(8 * 262_144 - 1001, seed: 39)
        _ = try await pending.begin("ob12:c", client: "c1", name: "c.bin", layout: .bytes(total: Int64(bytes.count)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for part in 0..<8 {
                let range = (part * 262_144)..<min((part + 1) * 262_144, bytes.count)
                group.addTask { try await send(pending, "ob12:c", bytes, range) }
            }
            try await group.waitForAll()
        }
        #expect(try pending.status("ob12:c").receivedBytes == Int64(bytes.count))
        let file = try await finish(pending, "ob12:c")
        try await expectStaged(store, pending, file, "ob12:c", bytes: bytes, name: "c.bin")
    }

    @Test("concurrent fragments, each sent twice, and concurrent begins reusing one id make one upload")
    func concurrentResends() async throws {
        let store = try TestStore()
        let pending = PendingUploads(tree: store.tree, limits: .init())
        let bytes = pseudoRandomBytes(8 * 65_536 + 3, seed: 40)
        let layout = PendingLayout.bytes(total: Int64(bytes.count))
        let statuses = try await withThrowingTaskGroup(of: PendingStatus.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await pending.begin("ob12:r", client: "c1", name: "r.bin", layout: layout, reusing: true)
                }
            }
            return try await group.reduce(into: [PendingStatus]()) { $0.append($1) }
        }
        #expect(statuses.count == 10)
        #expect(Set(statuses.map(\.receivedBytes)) == [0])
        #expect(store.tempFiles().count == 1)
        #expect(pending.held == (1, Int64(bytes.count)))

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                for part in 0..<9 {
                    let range = (part * 65_536)..<min((part + 1) * 65_536, bytes.count)
                    group.addTask { try await send(pending, "ob12:r", bytes, range) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try pending.status("ob12:r").receivedBytes == Int64(bytes.count))
        let file = try await finish(pending, "ob12:r")
        try await expectStaged(store, pending, file, "ob12:r", bytes: bytes, name: "r.bin")
    }
}

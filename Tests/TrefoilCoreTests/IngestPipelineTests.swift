import Crypto
import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Ingest pipeline")
struct IngestPipelineTests {
    /// Sizes on both sides of the 4 KiB alignment of direct writes and of the 1 MiB chunk.
    static let sizes = [0, 1, 4095, 4096, 4097, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 4096 + 17]

    @Test("direct and buffered temp files hold the exact bytes and digests at every size around the boundaries")
    func exactBytesAtBoundaries() async throws {
        let folder = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (index, size) in Self.sizes.enumerated() {
            let bytes = pseudoRandomBytes(size, seed: UInt64(index + 1))
            for direct in [true, false] {
                let path = "\(folder)/\(size)-\(direct).part"
                let run = try await Self.ingest(bytes, into: path, direct: direct, syncStep: 1 << 20)
                #expect(readFile(path).map { $0 == bytes } == true, "size \(size), direct \(direct)")
                #expect(run.digests == Self.reference(bytes), "size \(size), direct \(direct)")
            }
        }
    }

    @Test("temp files are opened for direct writes, so uploads skip the page cache")
    func tempFilesAreDirect() throws {
        let folder = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fd = try BlobStore.createTempFile("\(folder)/probe.part")
        defer { close(fd) }
        #expect(directFlag != 0)
        #expect(fcntl(fd, F_GETFL) & directFlag == directFlag)
    }

    @Test("fdatasync runs on the flush lane while a large upload is still being written")
    func flushesDuringTheUpload() async throws {
        let folder = makeTempDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = pseudoRandomBytes(5 << 20)
        let run = try await Self.ingest(bytes, into: "\(folder)/big.part", direct: true, syncStep: 1 << 20)
        #expect(run.syncs >= 1)
        #expect(run.syncs <= 5)
        let quiet = try await Self.ingest(bytes, into: "\(folder)/quiet.part", direct: true, syncStep: 64 << 20)
        #expect(quiet.syncs == 0)
        #expect(quiet.digests == run.digests)
    }

    @Test("a local file goes straight into the pipeline's buffers and stores the same bytes as a stream")
    func localFileRoute() async throws {
        let store = try TestStore()
        let bytes = pseudoRandomBytes((2 << 20) + 5, seed: 9)
        let path = store.directory.root.path + "/source.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let fromPath = try await store.tree.upload(
            try FileChunks(path: path), name: "p.bin", to: .group("1"), by: Member(id: "1"))
        #expect(readFile(store.tree.blobPath(of: fromPath)!) == bytes)
        #expect(fromPath.digests == Self.reference(bytes, sha3: false))
        #expect(fromPath.size == Int64(bytes.count))
        let fromStream = try await store.tree.upload(
            chunks(bytes, size: 65_537), name: "s.bin", to: .group("1"), by: Member(id: "1"))
        #expect(fromStream.digests == fromPath.digests)
        #expect(store.tempFiles().isEmpty)
        #expect(store.blobFiles() == [fromPath.digests.sha256])
    }

    @Test("crossing max_file_bytes in the middle of a chunk stores nothing and leaves the store usable")
    func limitInsideAChunk() async throws {
        let limit: Int64 = (3 << 20) + 1
        let store = try TestStore(settings: .init(maxFileBytes: limit))
        let bytes = pseudoRandomBytes(5 << 20, seed: 3)
        let streamed = await trefoilError {
            _ = try await store.tree.upload(
                chunks(bytes, size: 65_537), name: "s", to: .group("1"), by: Member(id: "1"))
        }
        #expect(streamed == .fileTooLarge)
        let path = store.directory.root.path + "/over.bin"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let local = await trefoilError {
            _ = try await store.tree.upload(try FileChunks(path: path), name: "p", to: .group("1"), by: Member(id: "1"))
        }
        #expect(local == .fileTooLarge)
        #expect(store.tempFiles().isEmpty)
        #expect(store.blobFiles().isEmpty)
        let fits = Array(bytes.prefix(Int(limit)))
        let file = try await store.tree.upload(
            chunks(fits, size: 65_537), name: "ok", to: .group("1"), by: Member(id: "1"))
        #expect(readFile(store.tree.blobPath(of: file)!) == fits)
    }

    @Test("a duplicate upload's temp file is removed after the answer, and nobody sees it meanwhile")
    func duplicateTempRemoved() async throws {
        let store = try TestStore()
        let bytes = pseudoRandomBytes((1 << 20) + 3, seed: 4)
        let first = try await store.tree.upload(
            chunks(bytes, size: 65_537), name: "a", to: .group("1"), by: Member(id: "1"))
        let second = try await store.tree.upload(
            chunks(bytes, size: 4096), name: "b", to: .group("2"), by: Member(id: "1"))
        #expect(store.tempFiles().isEmpty)
        #expect(try await store.tree.checkConsistency(repair: false).isClean)
        #expect(store.blobFiles() == [first.digests.sha256])
        #expect(readFile(store.tree.blobPath(of: second)!) == bytes)
    }

    /// Runs `bytes` through a pipeline into a new file at `path`, in pieces of 65,537 bytes.
    static func ingest(
        _ bytes: [UInt8], into path: String, direct: Bool, syncStep: Int64
    ) async throws -> (digests: Digests, syncs: Int) {
        let fd = direct ? try BlobStore.createTempFile(path) : open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let pipeline = IngestPipeline(fd: fd, computeSHA3: true, window: 3, syncStep: syncStep)
        var chunk = await pipeline.takeChunk()
        var start = 0
        while start < bytes.count {
            let piece = bytes[start..<min(start + 65_537, bytes.count)]
            await pipeline.append(piece, into: &chunk)
            start += piece.count
        }
        pipeline.feed(chunk)
        let digests = try await pipeline.finish()
        return (digests, pipeline.syncs)
    }

    static func reference(_ bytes: [UInt8], sha3: Bool = true) -> Digests {
        Digests(
            sha256: SHA256.hash(data: bytes).hexString, md5: Insecure.MD5.hash(data: bytes).hexString,
            sha1: Insecure.SHA1.hash(data: bytes).hexString, sha3: sha3 ? SHA3_256.hash(data: bytes).hexString : "")
    }
}

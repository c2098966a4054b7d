import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// NoneBot2 with its unpatched OneBot V11 adapter sends big files to the real `trefoil` executable over forward
/// WebSocket through `call_api` alone (Tests/e2e/nonebot_big_files.py). Part of the serialized suite: it shares the
/// e2e venv.
extension BotFrameworkTests {
    /// What nonebot_big_files.py sends: 64 MiB of seeded random bytes, as Python's hashlib sees them.
    static let bigFileSize = 64 << 20
    static let bigFileSHA256 = "f634954c38b994723637094c0cc49ae5ffd4cc7cf8424d18f7a6add0938712ef"
    static let bigFileMD5 = "4a758d4289d5ccc8de3d22e232280ca4"
    static let secondGroupID = 654321

    @Test(
        "NoneBot2 sends 64 MiB in fragments and as a NapCat stream; the staged ids become group files in two groups, on one blob"
    )
    func noneBotSendsBigFiles() async throws {
        let packageRoot = e2ePackageRoot()
        let python = try await e2eEnsureVenv(packageRoot: packageRoot)

        let temp = try e2eMakeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let (server, port, serverLog) = try await e2eStartReadyTrefoil(in: temp)
        defer { e2eStop(server) }
        let dataDir = temp + "/data"

        let script = packageRoot + "/Tests/e2e/nonebot_big_files.py"
        let run = try await e2eRun(
            python,
            [
                script, "--ws-url", "ws://127.0.0.1:\(port)/", "--token", Self.token, "--group-id", "\(Self.groupID)",
                "--second-group-id", "\(Self.secondGroupID)", "--self-id", "\(Self.selfID)", "--timeout", "240",
            ],
            directory: temp + "/bot",  // NoneBot reads .env files from its working directory: give it an empty one
            environment: e2eCleanEnvironment(),
            timeout: .seconds(270))
        let result = try e2eRequireSuccess(E2EBigFileResult.self, run, timeout: 270, trefoilLog: e2eRead(serverLog))
        #expect(result.selfId == Self.selfID)
        #expect(result.expected?.size == Self.bigFileSize && result.expected?.sha256 == Self.bigFileSHA256)
        #expect(result.expected?.md5 == Self.bigFileMD5)

        let fragmented = try #require(result.fragmented, "no fragmented upload in the result")
        #expect(fragmented.fragments == 16)
        #expect(e2eIsQQStyleID(fragmented.stagedId), "staged id \(fragmented.stagedId ?? "nil")")
        #expect(fragmented.fileSize == Self.bigFileSize)
        #expect(fragmented.sha256 == Self.bigFileSHA256)

        let streamed = try #require(result.streamed, "no stream upload in the result")
        #expect(streamed.chunks == 64)
        #expect(e2eIsQQStyleID(streamed.filePath), "file_path \(streamed.filePath ?? "nil")")
        #expect(streamed.filePath != fragmented.stagedId)
        #expect(streamed.fileSize == Self.bigFileSize)
        #expect(streamed.sha256 == Self.bigFileSHA256)

        let groupFiles = [result.fragmentedGroupFile, result.streamedGroupFile, result.secondGroupFile]
        #expect(groupFiles.map { $0?.groupId } == [Self.groupID, Self.groupID, Self.secondGroupID])
        for file in groupFiles {
            #expect(e2eIsQQStyleID(file?.fileId), "file_id \(file?.fileId ?? "nil")")
            #expect(file?.fileSize == Self.bigFileSize)
            #expect(file?.sha256 == Self.bigFileSHA256)
            #expect(file?.downloadSha256 == Self.bigFileSHA256)
        }
        #expect(Set(groupFiles.map { $0?.fileId }).count == 3, "\(groupFiles.map { $0?.fileId })")

        // Three group files and two staged files, sent twice over the wire: one copy of the bytes on disk, and no
        // pending upload's temp file left behind (a dropped duplicate is unlinked in the background: wait for it).
        var copies: [String] = []
        await e2eWait(timeout: .seconds(10)) {
            copies = e2eFilesOnDisk(under: dataDir, size: Self.bigFileSize)
            return copies.count == 1
        }
        #expect(copies.count == 1, "files of \(Self.bigFileSize) bytes under the data directory: \(copies)")

        e2eStop(server)
        #expect(!server.wasSignaled && server.terminationStatus == 0, "\(e2eTail(e2eRead(serverLog)))")
    }
}

/// The regular files of exactly `size` bytes below `directory`, one path per inode (a hard link is the same bytes).
func e2eFilesOnDisk(under directory: String, size: Int) -> [String] {
    var seen: Set<[UInt64]> = []
    var paths: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let relative = enumerator?.nextObject() as? String {
        let path = directory + "/" + relative
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size == size else { continue }
        if seen.insert([UInt64(status.st_dev), UInt64(status.st_ino)]).inserted { paths.append(relative) }
    }
    return paths.sorted()
}

/// The JSON line that nonebot_big_files.py prints (snake_case keys).
struct E2EBigFileResult: E2EResultLine {
    struct Expected: Decodable {
        let size: Int?
        let md5: String?
        let sha256: String?
    }
    struct Fragmented: Decodable {
        let fragments: Int?
        let stagedId: String?
        let fileSize: Int?
        let sha256: String?
    }
    struct Streamed: Decodable {
        let chunks: Int?
        let filePath: String?
        let fileSize: Int?
        let sha256: String?
    }
    struct GroupFile: Decodable {
        let groupId: Int?
        let fileId: String?
        let fileSize: Int?
        let sha256: String?
        /// The sha256 of the bytes a GET of the file's url gave.
        let downloadSha256: String?
    }
    let ok: Bool
    let error: String?
    let steps: [String]?
    let selfId: Int?
    let expected: Expected?
    let fragmented: Fragmented?
    let fragmentedGroupFile: GroupFile?
    let streamed: Streamed?
    let streamedGroupFile: GroupFile?
    let secondGroupFile: GroupFile?
}

import Foundation
import TrefoilJSON

/// OneBot 12's fragmented transfers over one forward WebSocket, on a server of their own: a file sent with
/// `upload_file_fragmented` (prepare, base64 fragments in JSON text frames one at a time as NoneBot's `call_api`
/// sends them, finish) against a raw `PUT` of the same file; the staged file made a group file by
/// `upload_group_file`; that file read back with `get_file_fragmented` against a `GET` of its signed URL; and the
/// server's peak RSS during the first fragmented upload.
///
/// While a fragment is on the wire the bench encodes the next one (or decodes and checks the last one), so the
/// figures are the gateway's and not the bench's base64; the wire still carries one request at a time.
enum FragmentsScenario {
    static func run(_ context: BenchContext) async throws -> [ReportRow] {
        let sizes = context.sizes
        let bytes = sizes.fragmentedFileBytes
        let size = BenchSizes.describe(bytes: bytes)
        let piece = BenchSizes.describe(bytes: Int64(sizes.fragmentBytes))
        let path = try context.workspace.testFile("fragmented.bin", bytes: bytes, seed: 17)
        defer { context.workspace.remove(path) }
        let warmPath = try context.workspace.testFile("fragmented-warm.bin", bytes: 1_000, seed: 18)
        defer { context.workspace.remove(warmPath) }
        let file = try FileSlices(path: path)
        // sha256sum also brings the file into the page cache, where both uploads read it from.
        let sha256 = String(try await ChildProcess.check("sha256sum", [path]).output.prefix(64))
        let warm = try FileSlices(path: warmPath)
        let warmSHA256 = String(try await ChildProcess.check("sha256sum", [warmPath]).output.prefix(64))
        let runs = sizes.repetitions
        let url = context.server.webSocketBase + "/api"
        return try await WSRPC.withConnection(url: url) { rpc in
            // Touch the fragment path once with a tiny file, then let the server settle before its idle RSS.
            _ = try await upload(url: url, file: warm, sha256: warmSHA256, fragmentBytes: sizes.fragmentBytes)
            try await Task.sleep(for: .seconds(1))

            context.log(
                "upload_file_fragmented over one forward WS: \(size) in \(piece) fragments, \(runs)× against raw PUT")
            var uploads: [Double] = []
            var puts: [Double] = []
            var memory: PeakMemory?
            var staged = ""
            for run in 0..<runs {
                await Workspace.sync()
                let upload: Upload
                if run == 0 {
                    let measured = try await PeakMemory.during(pid: context.server.pid) {
                        try await Self.upload(url: url, file: file, sha256: sha256, fragmentBytes: sizes.fragmentBytes)
                    }
                    memory = measured.memory
                    upload = measured.result
                } else {
                    upload = try await Self.upload(
                        url: url, file: file, sha256: sha256, fragmentBytes: sizes.fragmentBytes)
                }
                staged = upload.stagedID
                uploads.append(upload.megabytesPerSecond)
                await Workspace.sync()
                puts.append(try await RawUploadScenario.put(context, file: path, bytes: bytes, name: "put-\(run).bin"))
                context.log(
                    "  run \(run + 1): fragmented \(Format.mbps(uploads.last!)), PUT \(Format.mbps(puts.last!))")
            }
            guard let memory else { throw BenchError("no fragmented upload ran") }
            context.log("  during the first fragmented upload: \(memory.summary)")

            let group = try await groupFile(rpc, staged: staged, bytes: bytes, sha256: sha256)
            context.log("  upload_group_file of the staged id: \(Format.ms(group.milliseconds))")

            context.log(
                "get_file_fragmented over one forward WS: \(size) in \(piece) ranges, \(runs)× against the signed URL")
            // The blob was written past the page cache: the first read brings it in for both ways of reading it.
            _ = try await DownloadScenario.fetch(group.url, bytes: bytes)
            var downloads: [Double] = []
            var gets: [Double] = []
            for run in 0..<runs {
                downloads.append(
                    try await download(
                        url: url, fileID: group.fileID, file: file, sha256: sha256, fragmentBytes: sizes.fragmentBytes))
                gets.append(try await DownloadScenario.fetch(group.url, bytes: bytes))
                context.log(
                    "  run \(run + 1): fragmented \(Format.mbps(downloads.last!)), signed URL \(Format.mbps(gets.last!))"
                )
            }
            let uploadSpeed = median(uploads)
            return [
                EasemobScenario.compared(
                    "`upload_file_fragmented`, \(piece) base64 fragments over one forward WS (\(size))", uploads,
                    against: puts, named: "raw HTTP `PUT`", format: Format.mbps, unit: "mb_s", target: "≥ 0.5×",
                    met: { $0 >= 0.5 },
                    notes: "median of \(runs), alternating; prepare to finish, one fragment in flight; finish's "
                        + "sha256 checked; then `upload_group_file` of the staged id took "
                        + "\(Format.ms(group.milliseconds))"),
                EasemobScenario.compared(
                    "`get_file_fragmented`, \(piece) ranges over one forward WS (\(size))", downloads, against: gets,
                    named: "signed-URL download (curl)", format: Format.mbps, unit: "mb_s", target: "≥ 0.3×",
                    met: { $0 >= 0.3 },
                    notes: "median of \(runs), alternating; prepare to the last range, one range in flight; every "
                        + "range decoded and compared with the file (sha256 from prepare checked)"),
                memory.row(
                    "peak server RSS during a \(size) fragmented upload", limitMB: 64,
                    values: ["upload_mb_s": uploads[0]],
                    notes: "server of its own, after a 1,000-byte fragmented upload; VmRSS every 10 ms plus VmHWM; "
                        + "the median upload ran at \(Format.mbps(uploadSpeed))"),
            ]
        }
    }

    struct Upload {
        /// The staged file's id (`/` and a UUID) that finish returned.
        let stagedID: String
        let megabytesPerSecond: Double
    }

    /// Sends `file` with `upload_file_fragmented` on a connection of its own, checks finish's answer, and times
    /// prepare to finish.
    static func upload(url: String, file: FileSlices, sha256: String, fragmentBytes: Int) async throws -> Upload {
        try await FragmentClient.withConnection(url: url) { client in
            try upload(client, file: file, sha256: sha256, fragmentBytes: fragmentBytes)
        }
    }

    private static func upload(_ client: FragmentClient, file: FileSlices, sha256: String, fragmentBytes: Int) throws
        -> Upload
    {
        let clock = ContinuousClock()
        let started = clock.now
        let name = Envelope.quote((file.path as NSString).lastPathComponent)
        let prepared = try client.call(
            "upload_file_fragmented", params: #""stage":"prepare","name":\#(name),"total_size":\#(file.size)"#)
        guard let pending = Envelope.dataField(prepared, "file_id") as? String, isPendingID(pending) else {
            throw BenchError("upload_file_fragmented prepare: no 32-hex file_id in \(prepared)")
        }
        let pieces = file.pieces(of: fragmentBytes)
        // Two requests' buffers: the next fragment is read and encoded into one while the other is on the wire.
        var messages: [[UInt8]] = [[], []]
        var echoes = [0, 0]
        var raw = [UInt8](repeating: 0, count: fragmentBytes)
        func build(_ index: Int) throws {
            let (offset, count) = pieces[index]
            try raw.withUnsafeMutableBytes { try file.read(offset: offset, into: .init(rebasing: $0[..<count])) }
            echoes[index % 2] = client.build("upload_file_fragmented", into: &messages[index % 2]) { message in
                message.append(
                    contentsOf: #""stage":"transfer","file_id":"\#(pending)","offset":\#(offset),"data":""#.utf8)
                raw.withUnsafeBufferPointer { message.appendBase64(of: .init(rebasing: $0[..<count])) }
                message.append(UInt8(ascii: "\""))
            }
        }
        if !pieces.isEmpty { try build(0) }
        for index in pieces.indices {
            try client.send(messages[index % 2])
            if index + 1 < pieces.count { try build(index + 1) }
            try client.receive(echo: echoes[index % 2]) { _ in }
        }
        let finished = try client.call(
            "upload_file_fragmented", params: #""stage":"finish","file_id":"\#(pending)","sha256":"\#(sha256)""#)
        let seconds = (clock.now - started).seconds
        let data = finished["data"] as? [String: Any] ?? [:]
        guard let staged = data["file_id"] as? String, isStagedID(staged), data["file"] as? String == staged,
            (data["file_size"] as? NSNumber)?.int64Value == file.size, data["sha256"] as? String == sha256
        else {
            throw BenchError(
                "upload_file_fragmented finish answered \(data), not the staged id, \(file.size) bytes and sha256 "
                    + sha256)
        }
        return Upload(stagedID: staged, megabytesPerSecond: megabytesPerSecond(bytes: file.size, seconds: seconds))
    }

    struct GroupFile {
        let fileID: String
        let url: String
        let milliseconds: Double
    }

    /// `upload_group_file` with the staged id as `file`: a group file of the same bytes, without sending them again.
    static func groupFile(_ rpc: WSRPC, staged: String, bytes: Int64, sha256: String) async throws -> GroupFile {
        let clock = ContinuousClock()
        let started = clock.now
        let envelope = try await rpc.callOK(
            "upload_group_file",
            params: #"{"group_id":\#(BenchGroups.uploads),"file":"\#(staged)","name":"fragmented.bin"}"#)
        let milliseconds = (clock.now - started).milliseconds
        try UploadCheck.verify(envelope, bytes: bytes, md5: nil, what: "upload_group_file of a staged id")
        guard Envelope.dataField(envelope, "sha256") as? String == sha256,
            let fileID = Envelope.dataField(envelope, "file_id") as? String,
            let url = Envelope.dataField(envelope, "url") as? String
        else { throw BenchError("upload_group_file of \(staged) answered \(envelope)") }
        return GroupFile(fileID: fileID, url: url, milliseconds: milliseconds)
    }

    /// Reads the file `fileID` with `get_file_fragmented` on a connection of its own, compares every range with
    /// `file`, and times prepare to the last range.
    static func download(url: String, fileID: String, file: FileSlices, sha256: String, fragmentBytes: Int)
        async throws -> Double
    {
        try await FragmentClient.withConnection(url: url) { client in
            try download(client, fileID: fileID, file: file, sha256: sha256, fragmentBytes: fragmentBytes)
        }
    }

    private static func download(
        _ client: FragmentClient, fileID: String, file: FileSlices, sha256: String, fragmentBytes: Int
    ) throws -> Double {
        let clock = ContinuousClock()
        let started = clock.now
        let prepared = try client.call("get_file_fragmented", params: #""stage":"prepare","file_id":"\#(fileID)""#)
        guard (Envelope.dataField(prepared, "total_size") as? NSNumber)?.int64Value == file.size,
            Envelope.dataField(prepared, "sha256") as? String == sha256
        else {
            throw BenchError("get_file_fragmented prepare answered \(prepared), not \(file.size) bytes and \(sha256)")
        }
        let pieces = file.pieces(of: fragmentBytes)
        var message: [UInt8] = []
        func request(_ index: Int) throws -> Int {
            let echo = client.build("get_file_fragmented", into: &message) {
                $0.append(
                    contentsOf:
                        #""stage":"transfer","file_id":"\#(fileID)","offset":\#(pieces[index].offset),"size":\#(pieces[index].count)"#
                        .utf8)
            }
            try client.send(message)
            return echo
        }
        var expected = [UInt8](repeating: 0, count: fragmentBytes)
        var received = [UInt8](repeating: 0, count: Base64Codec.decodedLength(fragmentBytes * 4 / 3 + 4))
        var echo = pieces.isEmpty ? 0 : try request(0)
        for (index, (offset, count)) in pieces.enumerated() {
            try client.receive(echo: echo) { bytes in
                // The next range is asked for before this one is checked, so the check overlaps the server's work.
                if index + 1 < pieces.count { echo = try request(index + 1) }
                let length = try fragment(in: bytes, into: &received)
                let same = try expected.withUnsafeMutableBytes { buffer in
                    let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
                    try file.read(offset: offset, into: piece)
                    return length == count
                        && received.withUnsafeBytes { memcmp($0.baseAddress!, piece.baseAddress!, count) == 0 }
                }
                guard same else {
                    throw BenchError(
                        "get_file_fragmented: the \(length) bytes it gave at offset \(offset) are not the file's "
                            + "\(count) bytes there")
                }
            }
        }
        return megabytesPerSecond(bytes: file.size, seconds: (clock.now - started).seconds)
    }

    /// Decodes the bytes of a `get_file_fragmented` transfer answer into `output` (grown when too small) and returns
    /// how many there are.
    ///
    /// Trefoil writes the envelope's keys sorted, so the answer starts with `{"data":{"data":"` and the base64 runs
    /// to the next quote: it is cut out and decoded without parsing megabytes of JSON (as costly as the server's
    /// whole answer). Any other shape goes through the JSON parser.
    static func fragment(in bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) throws -> Int {
        let head = Array(#"{"data":{"data":""#.utf8)
        var text = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var parsed: [UInt8] = []
        if bytes.count > head.count, bytes.starts(with: head),
            let quote = memchr(bytes.baseAddress! + head.count, Int32(UInt8(ascii: "\"")), bytes.count - head.count),
            // An escaped character (a `\/`) is left to the JSON parser.
            memchr(
                bytes.baseAddress! + head.count, Int32(UInt8(ascii: "\\")),
                UnsafeRawPointer(quote) - UnsafeRawPointer(bytes.baseAddress! + head.count)) == nil
        {
            text = UnsafeBufferPointer(
                rebasing: bytes[head.count..<(UnsafeRawPointer(quote) - UnsafeRawPointer(bytes.baseAddress!))])
        } else {
            let reply = String(decoding: bytes, as: UTF8.self)
            guard let envelope = Envelope.parse(reply), envelope["status"] as? String == "ok",
                let data = Envelope.dataField(envelope, "data") as? String
            else { throw BenchError("get_file_fragmented transfer: no base64 data in \(reply.prefix(300))") }
            parsed = Array(data.utf8)
        }
        return try parsed.withUnsafeBufferPointer { parsedText in
            let input = parsed.isEmpty ? text : parsedText
            if output.count < Base64Codec.decodedLength(input.count) {
                output = [UInt8](repeating: 0, count: Base64Codec.decodedLength(input.count))
            }
            return try output.withUnsafeMutableBytes { try Base64Codec.decode(UnsafeRawBufferPointer(input), into: $0) }
        }
    }

    /// A pending upload's id: 32 lowercase hex digits.
    static func isPendingID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A staged file's id: `/` and a lowercase UUID.
    static func isStagedID(_ id: String) -> Bool {
        guard id.hasPrefix("/") else { return false }
        let uuid = String(id.dropFirst())
        return UUID(uuidString: uuid) != nil && uuid == uuid.lowercased()
    }
}

// The parse and write paths of a OneBot request, timed apart from the server: three typical frames parsed from
// their `String`, and a listing page of 50 File objects written and wrapped in an envelope. See run.sh.
import Foundation

#if SPLIT
    import TrefoilJSON
#endif

let frames = [
    #"{"action":"get_group_files_by_folder","params":{"group_id":123456,"folder_id":"/","file_count":50},"echo":17003}"#,
    #"{"action":"get_version_info","params":{},"echo":"v-1"}"#,
    #"{"action":"upload_group_file","params":{"group_id":123456,"file":"/tmp/a.bin","name":"report \"Q3\"\n.pdf","folder":"/x"},"echo":{"seq":1.0}}"#,
]

func parse(_ frame: String) -> JSONValue? {
    #if OLD
        JSONParser.parse(frame, keepingEchoText: true)
    #else
        JSONParser.parse(frame, keepingTextOf: "echo")
    #endif
}

struct File {
    var id = "f-0a1b2c3d4e5f", name = "a report \"Q3\" 中文.pdf", folder = "/d-01", md5 = "0123456789abcdef"
    var sha1 = "0123456789abcdef01234567", sha256 = String(repeating: "a", count: 64), sha3 = "", uploaderName = "Bot"
    var size: Int64 = 9_876_543, deadTime: Int64 = 0, downloads: Int64 = 3, group: Int64 = 123_456
    var modifyTime: Int64 = 1_700_000_005, uploadTime: Int64 = 1_700_000_000, uploader: Int64 = 10_001
}

/// As the OneBot face writes a File object of a listing: sixteen members, keys sorted.
func write(_ file: File, into out: inout JSONWriter) {
    out.beginObject()
    out.member("busid", Int64(102))
    out.member("dead_time", file.deadTime)
    out.member("download_times", file.downloads)
    out.member("file_id", file.id)
    out.member("file_name", file.name)
    out.member("file_size", file.size)
    out.member("folder_id", file.folder)
    out.member("group_id", file.group)
    out.member("md5", file.md5)
    out.member("modify_time", file.modifyTime)
    out.member("sha", file.sha1)
    out.member("sha256", file.sha256)
    out.member("sha3", file.sha3)
    out.member("upload_time", file.uploadTime)
    out.member("uploader", file.uploader)
    out.member("uploader_name", file.uploaderName)
    out.endObject()
}

/// A page of files as an envelope's `data`, the envelope written as `ActionResponse` writes it.
func page(_ files: [File], echo: JSONValue) -> [UInt8] {
    var listing = JSONWriter(capacity: 256 + files.count * 560)
    listing.beginObject()
    listing.key("files")
    listing.beginArray()
    for file in files { write(file, into: &listing) }
    listing.endArray()
    listing.member("folders", .array([]))
    listing.endObject()
    var out = JSONWriter(capacity: 256)
    out.beginObject()
    out.member("data", .fragment(JSONFragment(listing)))
    out.member("echo", echo)
    out.member("message", "")
    out.member("retcode", Int64(0))
    out.member("status", "ok")
    out.member("wording", "")
    out.endObject()
    return out.bytes
}

let files = Array(repeating: File(), count: 50)
let arguments = CommandLine.arguments
// `json-measure parse N` or `json-measure write N` does that N times and nothing else (for callgrind);
// without arguments every part is timed, median of 7 rounds.
if arguments.count == 3, let count = Int(arguments[2]) {
    var sink = 0
    for round in 0..<count {
        if arguments[1] == "parse" {
            if parse(frames[round % frames.count]) != nil { sink += 1 }
        } else {
            sink += page(files, echo: .int(Int64(round))).count
        }
    }
    print(sink)
} else {
    func median(_ rounds: Int, _ body: () -> Int) -> (Double, Int) {
        var times: [Double] = []
        var sink = 0
        for _ in 0..<7 {
            let start = ContinuousClock.now
            for _ in 0..<rounds { sink &+= body() }
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9)
        }
        return (times.sorted()[3] / Double(rounds), sink)
    }
    var index = 0
    let (parseTime, parsed) = median(30_000) {
        index += 1
        return parse(frames[index % frames.count]) == nil ? 0 : 1
    }
    let (writeTime, written) = median(300) { page(files, echo: .int(17003)).count }
    print(
        String(
            format: "parse: %.0f ns per frame; write: %.1f µs per page of 50 (%d, %d)", parseTime,
            writeTime / 1000, parsed, written))
}

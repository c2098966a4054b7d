import Foundation

/// One transfer made with the `curl` command line, as users make them, and curl's own timing.
struct CurlTransfer: Sendable {
    let httpCode: Int
    /// curl's `time_total`: from the start of the transfer to its end, process start-up excluded.
    let seconds: Double
    let bytesUploaded: Int64
    let bytesDownloaded: Int64
    /// The response body, unless it went to a file.
    let body: String

    /// The body as a OneBot envelope; throws unless it says `ok`.
    func okEnvelope(_ what: String) throws -> [String: Any] {
        guard httpCode == 200 else { throw BenchError("\(what): HTTP \(httpCode): \(body.prefix(300))") }
        guard let envelope = Envelope.parse(body), envelope["status"] as? String == "ok" else {
            throw BenchError("\(what) failed: \(body.prefix(300))")
        }
        return envelope
    }
}

enum Curl {
    private static let marker = "\n@@curl@@"
    private static let format = marker + "%{http_code} %{time_total} %{size_upload} %{size_download}"

    /// Runs curl with `arguments` plus the timing format; the body comes back unless `discardBody`.
    static func transfer(
        _ arguments: [String], discardBody: Bool = false, input: (@Sendable (Int32) -> Void)? = nil
    ) async throws -> CurlTransfer {
        let common = ["-sS", "--max-time", "1200", "-H", "Expect:", "-w", format]
        let result = try await ChildProcess.run(
            "curl", common + (discardBody ? ["-o", "/dev/null"] : []) + arguments, input: input)
        guard result.status == 0, let range = result.output.range(of: marker, options: .backwards) else {
            throw BenchError(
                "curl \(arguments.joined(separator: " ")) exited \(result.status): "
                    + result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let fields = result.output[range.upperBound...].split(separator: " ")
        guard fields.count == 4, let code = Int(fields[0]), let seconds = Double(fields[1]) else {
            throw BenchError("curl printed no timing: \(result.output.suffix(200))")
        }
        return CurlTransfer(
            httpCode: code, seconds: seconds,
            bytesUploaded: Int64(Double(fields[2]) ?? 0), bytesDownloaded: Int64(Double(fields[3]) ?? 0),
            body: String(result.output[..<range.lowerBound]))
    }

    /// `GET url`, body discarded: a download.
    static func download(_ url: String) async throws -> CurlTransfer {
        let transfer = try await transfer([url], discardBody: true)
        guard transfer.httpCode == 200 else { throw BenchError("GET \(url): HTTP \(transfer.httpCode)") }
        return transfer
    }

    /// `PUT url` with the file as the raw body.
    static func put(file: String, to url: String) async throws -> CurlTransfer {
        try await transfer(["-T", file, url])
    }

    /// `PUT url` with a body of unknown length (chunked) written by `input`.
    static func putStream(to url: String, input: @escaping @Sendable (Int32) -> Void) async throws -> CurlTransfer {
        try await transfer(["-T", "-", url], input: input)
    }

    /// `POST url` with a multipart form whose `file` part is the file.
    static func postMultipart(file: String, to url: String) async throws -> CurlTransfer {
        try await transfer(["-F", "file=@\(file);type=application/octet-stream", url])
    }
}

/// JSON text ↔ the loosely typed values the scenarios read.
enum Envelope {
    static func parse(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// `data.key` of an envelope.
    static func dataField(_ envelope: [String: Any], _ key: String) -> Any? {
        (envelope["data"] as? [String: Any])?[key]
    }

    /// A string as a JSON string literal.
    static func quote(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}

/// Percent-encodes a query value.
func queryEscape(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~/")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}

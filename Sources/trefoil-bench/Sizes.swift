import Foundation

/// How big each scenario is: the sizes, or `--quick` ones that keep every scenario but
/// run the whole suite in well under a minute, even against a debug binary.
struct BenchSizes: Codable, Sendable {
    /// The file for ingest-from-path, raw upload and download.
    var fileBytes: Int64
    var multipartBytes: Int64
    /// The streaming upload during which the server's RSS is sampled.
    var rssUploadBytes: Int64
    /// Each throughput figure is the median of this many transfers (baselines alike).
    var repetitions: Int
    /// Files in the one folder that is listed.
    var listingFiles: Int
    var listingPage = 100
    var listingSeconds: Double
    /// Files in the group whose root the metadata load lists, 50 at a time.
    var metadataFiles: Int
    var metadataPage = 50
    var metadataConnections = 8
    /// Requests in flight per connection.
    var metadataDepth = 4
    var metadataSeconds: Double
    var warmupSeconds: Double
    var fanOutClients: Int
    var fanOutUploads: Int
    /// The chat file uploaded through the Easemob face (10 MiB, its default limit, in a full run).
    var chatFileBytes: Int64
    /// Each Easemob figure is the median of this many runs (alternating with its baseline).
    var easemobRepetitions: Int
    /// The file uploaded with a Qiniu IM ticket.
    var ticketUploadBytes: Int64
    /// The file sent with `upload_file_fragmented` and read back with `get_file_fragmented`.
    var fragmentedFileBytes: Int64
    /// One fragment's bytes before base64, and one range asked for.
    var fragmentBytes = 4 << 20
    /// Keep-alive GET load: connections, and the length of each measured window.
    var httpLoadConnections = 4
    var httpLoadSeconds: Double
    /// Groups of one file each in the store that `/metrics` counts.
    var metricsGroups: Int
    /// Scrapes timed one after another.
    var metricsScrapes: Int
    /// Metadata windows without and with the scraper, each.
    var metricsWindows: Int
    /// The file uploaded to and downloaded from S3 (moto), through trefoil and with awscli.
    var s3FileBytes: Int64
    /// The streaming upload to S3 during which the server's RSS is sampled.
    var s3RSSUploadBytes: Int64
    /// Small durable uploads: rounds (one window each of the write loop, one and 32 in flight) and each window's length.
    var smallUploadRounds: Int
    var smallUploadSeconds: Double
    /// Small-file downloads: distinct files of `smallFileBytes`, keep-alive connections, and the alternating windows
    /// (each `httpLoadSeconds` long) of trefoil and of nginx.
    var smallFiles: Int
    var smallFileBytes = 10_240
    var smallFileConnections = 16
    var smallFileWindows: Int
    /// Concurrent large downloads: this many distinct files fetched at once, `concurrentBytes` each, `repetitions`
    /// runs each of trefoil and nginx.
    var concurrentDownloads = 16
    var concurrentBytes: Int64

    static let mebibyte: Int64 = 1 << 20

    static let full = BenchSizes(
        fileBytes: 1_024 * mebibyte, multipartBytes: 256 * mebibyte, rssUploadBytes: 2_048 * mebibyte,
        repetitions: 3, listingFiles: 100_000, listingSeconds: 8, metadataFiles: 1_000, metadataSeconds: 5,
        warmupSeconds: 1, fanOutClients: 1_000, fanOutUploads: 100, chatFileBytes: 10 * mebibyte, easemobRepetitions: 7,
        ticketUploadBytes: 64 * mebibyte, fragmentedFileBytes: 1_024 * mebibyte,
        httpLoadSeconds: 3, metricsGroups: 10_000, metricsScrapes: 200, metricsWindows: 5,
        s3FileBytes: 256 * mebibyte, s3RSSUploadBytes: 1_024 * mebibyte, smallUploadRounds: 3, smallUploadSeconds: 5,
        smallFiles: 1_000, smallFileWindows: 3, concurrentBytes: 64 * mebibyte)

    static let quick = BenchSizes(
        fileBytes: 32 * mebibyte, multipartBytes: 8 * mebibyte, rssUploadBytes: 64 * mebibyte,
        repetitions: 1, listingFiles: 2_000, listingSeconds: 1.5, metadataFiles: 100, metadataSeconds: 1,
        warmupSeconds: 0.3, fanOutClients: 50, fanOutUploads: 10, chatFileBytes: mebibyte, easemobRepetitions: 1,
        ticketUploadBytes: 4 * mebibyte, fragmentedFileBytes: 10 * mebibyte,
        httpLoadSeconds: 0.5, metricsGroups: 200, metricsScrapes: 10, metricsWindows: 1,
        s3FileBytes: 8 * mebibyte, s3RSSUploadBytes: 40 * mebibyte, smallUploadRounds: 1, smallUploadSeconds: 1,
        smallFiles: 200, smallFileWindows: 1, concurrentBytes: 4 * mebibyte)

    /// `1 GiB`, `256 MiB`, …
    static func describe(bytes: Int64) -> String {
        bytes >= 1 << 30 && bytes % (1 << 30) == 0 ? "\(bytes >> 30) GiB" : "\(bytes >> 20) MiB"
    }
}

/// What every scenario needs: the sizes, the temp directory, the running server, progress output.
struct BenchContext: Sendable {
    let sizes: BenchSizes
    let workspace: Workspace
    let server: TrefoilServer

    /// Progress goes to stderr so that stdout holds the table alone.
    func log(_ line: String) {
        FileHandle.standardError.write(Data("· \(line)\n".utf8))
    }
}

/// Group ids the scenarios use, one per purpose so that none sees another's files.
enum BenchGroups {
    static let uploads: Int64 = 1_001
    static let smallUploads: Int64 = 1_002
    static let smallFiles: Int64 = 1_003
    static let concurrentDownloads: Int64 = 1_004
    static let listing: Int64 = 2_001
    static let metadata: Int64 = 2_002
    static let fanOut: Int64 = 3_001
    /// The first of the metrics scenario's groups; the others follow it.
    static let metricsFirst: Int64 = 4_000_001
}

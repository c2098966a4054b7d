import CoreMetrics
import Foundation
import TrefoilConfiguration
import TrefoilCore
import TrefoilMetrics

/// Fetches an http(s) URL for an upload or `download_file`; implemented by the transports.
public protocol RemoteFileFetcher: Sendable {
    /// Starts the download; throws `OneBotError` (`UNSUPPORTED_PARAM` for a refused address,
    /// `DOWNLOAD_FAILED` otherwise) or `TrefoilError.fileTooLarge`.
    func fetch(_ url: String, headers: [(String, String)]) async throws -> RemoteFile
}

/// A response body on its way in.
public struct RemoteFile: Sendable {
    public var suggestedName: String?
    public var bytes: AsyncThrowingStream<[UInt8], any Error>

    public init(suggestedName: String?, bytes: AsyncThrowingStream<[UInt8], any Error>) {
        self.suggestedName = suggestedName
        self.bytes = bytes
    }
}

/// Everything the action handlers use: the store and the settings of the face.
public struct ActionContext: Sendable {
    public let tree: FileTree
    public let signer: LinkSigner
    public let selfID: Int64
    public let nickname: String
    /// Absolute base of download URLs, without a trailing slash.
    public let publicURL: String
    public let urlTTLSeconds: Int64
    public let localFiles: LocalFileAccess
    public let fetcher: (any RemoteFileFetcher)?
    public let downloadCache: DownloadCache
    /// How much `_async` and `_rate_limited` work may be held at once.
    public let backgroundLimits: BackgroundActions.Limits
    /// Counters of the transports for `get_status` and heartbeats.
    public let transportStats: @Sendable () -> [String: Int64]
    /// Uploads arriving in pieces (OneBot 12 fragments, NapCat streams, Shamrock chunks).
    public let pending: PendingUploads
    /// How long staged files live, and the pending-upload bounds.
    public let staging: TrefoilConfig.Staging
    /// The largest WebSocket message: what a reply carrying file bytes as base64 must fit in.
    public let maxMessageBytes: Int
    /// The gateway's metrics factory: actions, uploads by source.
    public let metrics: any MetricsFactory
    /// The face's uploads and downloads, as every face counts them.
    public let transfers: TransferMetrics
    let clock: @Sendable () -> Int64
    /// Listings as rendered, while the store says they hold.
    let listings = ListingCache()

    public init(
        tree: FileTree,
        signer: LinkSigner,
        config: TrefoilConfig,
        fetcher: (any RemoteFileFetcher)?,
        pending: PendingUploads? = nil,
        transportStats: @escaping @Sendable () -> [String: Int64] = { [:] },
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.tree = tree
        self.signer = signer
        selfID = config.onebot11.selfID
        nickname = config.onebot11.nickname
        publicURL = config.server.linkBase
        urlTTLSeconds = Int64(config.download.urlTTLSeconds)
        localFiles = LocalFileAccess(roots: config.upload.localRoots)
        self.fetcher = fetcher
        backgroundLimits = BackgroundActions.Limits(
            maxActions: config.server.maxBackgroundActions, maxBytes: config.server.maxBackgroundBytes)
        downloadCache = DownloadCache(directory: tree.directory, maxBytes: config.limits.maxFileBytes)
        self.transportStats = transportStats
        self.pending =
            pending
            ?? PendingUploads(tree: tree, limits: PendingUploads.Limits(config.staging))
        staging = config.staging
        maxMessageBytes = config.server.wsMaxMessageBytes
        self.metrics = metrics
        transfers = TransferMetrics(face: OneBot11Settings.section.name, factory: metrics)
        self.clock = clock
    }

    /// `file`, counted as an upload from `source`: call with what the store committed.
    func counted(_ file: StoredFile, from source: UploadSource) -> StoredFile {
        transfers.stored(source, bytes: file.size)
        return file
    }

    /// The bot as the store records who made a change: `self_id` and `nickname`.
    var member: Member { Member(id: OneBotIDs.text(selfID), name: nickname) }

    /// The signed download URL of a file, valid for `download.url_ttl_seconds` from now.
    public func downloadURL(for file: StoredFile) -> String {
        let expires = UnixTime.adding(urlTTLSeconds, to: clock())
        let signature = signer.signature(.download, subject: file.id.rawValue, expires: expires)
        let path = "/files\(file.id.rawValue)" + Self.nameSegment(file.name)
        return "\(publicURL)\(path)?expires=\(expires)&sig=\(signature)"
    }

    /// The file's name as the link's last path segment, `/` + the name percent-encoded; only cosmetic (the
    /// download names the file in Content-Disposition), so it is left out for `.` and `..`: every standard
    /// client (curl, httpx, browsers) resolves those as dot segments, and `/files/<id>/..` became `/files/`.
    /// Encoding the dots would not help: browsers take `%2e%2e` for `..` as well.
    ///
    /// Encoded byte by byte as Foundation's `addingPercentEncoding` does with `urlPathAllowed` less `/?#;` (the
    /// same text, tested), because building that set and encoding with it was half of making a link, and a link is
    /// made twice per upload (the answer and the `group_upload` event; perf, issue 18).
    static func nameSegment(_ name: String) -> String {
        if name == "." || name == ".." { return "" }
        var out: [UInt8] = [UInt8(ascii: "/")]
        out.reserveCapacity(name.utf8.count * 3 + 1)
        for byte in name.utf8 {
            if byte < 0x80, segmentAllowed[Int(byte)] {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    /// The ASCII bytes a name segment keeps as they are: RFC 3986's unreserved characters, sub-delimiters but `;`,
    /// `:` and `@`.
    static let segmentAllowed: [Bool] = (0..<128).map { byte in
        let scalar = Unicode.Scalar(UInt8(byte))
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "-._~!$&'()*+,=:@".unicodeScalars.contains(scalar)
    }
}

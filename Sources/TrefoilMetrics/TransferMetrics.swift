import CoreMetrics

/// Where the bytes of a stored upload came from.
public enum UploadSource: String, Sendable, CaseIterable {
    /// A `multipart/form-data` file part, streamed.
    case multipart
    /// A request body that is the file itself, streamed.
    case raw
    /// A file read from a local path (`file://`, an absolute path).
    case path
    /// A file fetched from an http(s) URL.
    case url
    /// Bytes inline in the request (`base64://`, a data URI, a base64 param).
    case base64
    /// An upload that arrived in pieces (fragments, streams, chunks) and was assembled.
    case fragments
}

/// What a download sent.
public enum DownloadKind: String, Sendable, CaseIterable {
    /// A stored file.
    case file
    /// A blob derived from a stored file (a thumbnail, a cover, another voice format).
    case derived
}

/// Counts the files one face stores and serves, with the gateway's metrics factory.
///
/// Every face counts the same series (`trefoil_uploads_total`, `trefoil_upload_bytes_total`) under its own `face`
/// label, so that one query sums them across faces. Downloads (`trefoil_downloads_total`,
/// `trefoil_download_bytes_total`) are counted where every face's downloads are answered, by the server's download
/// pipeline.
public struct TransferMetrics: Sendable {
    /// The face's config section name, such as `onebot11`.
    public let face: String
    let factory: any MetricsFactory

    public init(face: String, factory: any MetricsFactory) {
        self.face = face
        self.factory = factory
    }

    /// A file of `bytes` was stored from `source`; call once the store committed it.
    public func stored(_ source: UploadSource, bytes: Int64) {
        let dimensions = [("face", face), ("source", source.rawValue)]
        Counter(label: "trefoil_uploads_total", dimensions: dimensions, factory: factory).increment()
        Counter(label: "trefoil_upload_bytes_total", dimensions: dimensions, factory: factory).increment(
            by: max(0, bytes))
    }
}

/// An object as a HEAD or a listing describes it.
public struct S3Object: Sendable, Equatable {
    public let key: String
    public let size: Int64
    /// Without its quotes.
    public let etag: String

    public init(key: String, size: Int64, etag: String) {
        self.key = key
        self.size = size
        self.etag = etag
    }
}

/// One page of a listing.
public struct S3Listing: Sendable, Equatable {
    public let objects: [S3Object]
    /// Pass to the next `listObjects` call; nil on the last page.
    public let continuationToken: String?
}

/// A part of a multipart upload, as `completeMultipartUpload` needs it.
public struct S3Part: Sendable, Equatable {
    public let number: Int
    public let etag: String

    public init(number: Int, etag: String) {
        self.number = number
        self.etag = etag
    }
}

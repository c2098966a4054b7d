/// Where a bucket is and how to reach it.
public struct S3Configuration: Sendable, Equatable {
    /// `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000` (MinIO), `https://<account>.r2.cloudflarestorage.com`…
    public var endpoint: String
    public var region: String
    public var bucket: String
    /// `endpoint/bucket/key` (MinIO, moto, most self-hosted stores) rather than `bucket.endpoint/key` (AWS's default).
    public var pathStyle: Bool
    public var credentials: AWSCredentials
    /// The bound on one request, from the first byte sent to the answer's head.
    public var timeout: Duration

    public init(
        endpoint: String, region: String, bucket: String, pathStyle: Bool, credentials: AWSCredentials,
        timeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.pathStyle = pathStyle
        self.credentials = credentials
        self.timeout = timeout
    }
}

import TrefoilConfiguration
import TrefoilCore
import TrefoilS3Blobs

/// How downloads reach blobs that a remote backend keeps: streamed through Trefoil (`proxy`) or answered with a 302 to
/// a presigned URL of the object (`redirect`). Trefoil's own signed links stay the credential either way: the planner
/// decides after the face's route has accepted the request.
struct RemoteDownloads: Sendable {
    let blobs: S3Blobs
    let redirect: Bool
    let presignTTLSeconds: Int

    /// Nil when the blobs are on the local folder.
    init?(_ config: TrefoilConfig.Blobs, backend: any BlobBackend) {
        guard let blobs = backend as? S3Blobs else { return nil }
        self.blobs = blobs
        redirect = config.s3.downloads == "redirect"
        presignTTLSeconds = config.s3.presignTTLSeconds
    }
}

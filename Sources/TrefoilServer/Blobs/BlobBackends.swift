import TrefoilConfiguration
import TrefoilCore
import TrefoilS3
import TrefoilS3Blobs

/// The blob backend `storage.blobs` names, made and checked.
public enum BlobBackends {
    /// The local folder (nil: the store's default) or an S3 bucket that has passed the start-up check.
    ///
    /// Throws `TrefoilError.storageWriteFailed` with one line an admin can act on when the bucket cannot be reached,
    /// does not exist, refuses the credentials or refuses a write.
    public static func open(_ blobs: TrefoilConfig.Blobs) async throws -> (any BlobBackend)? {
        guard blobs.backend == "s3" else { return nil }
        let backend = try make(blobs.s3)
        do {
            try await backend.checkWritable()
        } catch {
            await backend.shutdown()
            throw TrefoilError.storageWriteFailed(
                "S3 bucket \"\(blobs.s3.bucket)\" at \(blobs.s3.endpoint): \(error.message)")
        }
        return backend
    }

    /// The S3 backend of `storage.blobs.s3`, unchecked.
    public static func make(_ s3: TrefoilConfig.S3) throws -> S3Blobs {
        let configuration = S3Configuration(
            endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, pathStyle: s3.pathStyle,
            credentials: AWSCredentials(accessKeyID: s3.accessKeyID, secretAccessKey: s3.secretAccessKey),
            timeout: .milliseconds(s3.timeoutMS))
        do {
            return try S3Blobs(
                configuration: configuration,
                settings: S3Blobs.Settings(
                    prefix: s3.prefix, partSize: s3.partSizeBytes, partConcurrency: s3.partConcurrency))
        } catch {
            throw TrefoilError.storageWriteFailed("storage.blobs.s3: \(error)")
        }
    }

    /// Closes a remote backend's connections.
    public static func close(_ backend: (any BlobBackend)?) async {
        await (backend as? S3Blobs)?.shutdown()
    }
}

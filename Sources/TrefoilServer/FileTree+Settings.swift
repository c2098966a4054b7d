import TrefoilConfiguration
import TrefoilCore

extension FileTree.Settings {
    /// The limits and retention rules of a loaded configuration.
    public init(_ config: TrefoilConfig) {
        self.init(
            maxFileBytes: config.limits.maxFileBytes,
            maxFolderDepth: config.limits.maxFolderDepth,
            computeSHA3: config.upload.computeSHA3,
            blobGraceSeconds: config.storage.blobs.backend == "s3"
                ? Int64(config.storage.blobs.s3.deleteGraceSeconds) : 0,
            inlineBlobBytes: Int64(config.storage.blobs.inlineMaxBytes),
            group: FileTree.SpaceLimits(config.spaces.group),
            user: FileTree.SpaceLimits(config.spaces.user),
            app: FileTree.SpaceLimits(config.spaces.app),
            staging: FileTree.SpaceLimits(config.spaces.staging),
            avatar: FileTree.SpaceLimits(config.spaces.avatar)
        )
    }
}

extension FileTree.SpaceLimits {
    init(_ space: TrefoilConfig.Space) {
        self.init(totalSpace: space.totalSpace, fileLimit: Int64(space.fileLimit), fileDays: space.fileDays)
    }
}

import TrefoilConfiguration
import TrefoilCore

extension FileTree.Settings {
    /// The limits and retention rules of a loaded configuration.
    public init(_ config: TrefoilConfig) {
        self.init(
            maxFileBytes: config.limits.maxFileBytes,
            groupTotalSpace: config.limits.groupTotalSpace,
            groupFileLimit: Int64(config.limits.groupFileLimit),
            maxFolderDepth: config.limits.maxFolderDepth,
            groupFileDays: config.retention.groupFileDays,
            privateFileDays: config.retention.privateFileDays,
            computeSHA3: config.upload.computeSHA3
        )
    }
}

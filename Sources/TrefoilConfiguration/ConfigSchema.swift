/// Every key of the config file that the core and the transports read, in the order the documentation lists them,
/// with its checks; each face's keys come from the section it declares (`ConfigSection`).
///
/// The schema is the single place that ties JSON names to Swift properties: the file walk, the environment variable
/// names and the "did you mean" suggestions all come from it.
enum ConfigSchema {
    /// The keys of the document's top level: the core's, then each section's.
    static func fields(sections: [any ConfigSectionSettings.Type]) -> [ConfigField<TrefoilConfig>] {
        let all = fields + sections.flatMap { $0.rootFields }
        let names = all.map(\.name)
        precondition(
            Set(names).count == names.count, "two config sections or keys share a name: \(names.sorted())")
        return all
    }

    static var fields: [ConfigField<TrefoilConfig>] {
        [
            .section(
                "server",
                [
                    .string("host", \.server.host, .nonBlank(allowed: "a host name or IP address")),
                    .integer("port", \.server.port, .between(1, 65535)),
                    .string("public_url", \.server.publicURL, .httpURL),
                    .integer("max_body_bytes", \.server.maxBodyBytes, .between(1, ConfigBound.tebibyte)),
                    .integer("ws_max_message_bytes", \.server.wsMaxMessageBytes, .between(1, ConfigBound.gibibyte)),
                    .integer("max_request_bytes", \.server.maxRequestBytes, .between(1, ConfigBound.gibibyte)),
                    .integer("idle_timeout_ms", \.server.idleTimeoutMS, .between(100, ConfigBound.hourMS)),
                    .integer("max_connections", \.server.maxConnections, .between(1, 1_000_000)),
                    .integer("shutdown_timeout_ms", \.server.shutdownTimeoutMS, .between(0, ConfigBound.hourMS)),
                    .integer("max_background_actions", \.server.maxBackgroundActions, .between(1, 100_000)),
                    .integer(
                        "max_background_bytes", \.server.maxBackgroundBytes, .between(65_536, ConfigBound.tebibyte)),
                ]),
            .section(
                "storage",
                [
                    .string("data_dir", \.storage.dataDir, .nonBlank(allowed: "a directory path")),
                    .section(
                        "blobs",
                        [
                            .string("backend", \.storage.blobs.backend, .oneOf(["disk", "s3"], what: "blob backend")),
                            .integer("inline_max_bytes", \.storage.blobs.inlineMaxBytes, .between(0, 1 << 20)),
                            .section("s3", s3Fields),
                        ]),
                ]),
            .section(
                "limits",
                [
                    .integer("max_file_bytes", \.limits.maxFileBytes, .between(1, ConfigBound.tebibyte)),
                    .integer("group_total_space", \.spaces.group.totalSpace, totalSpaceRule),
                    .integer("group_file_limit", \.spaces.group.fileLimit, fileLimitRule),
                    .integer("max_folder_depth", \.limits.maxFolderDepth, .between(1, 64)),
                ]),
            .section(
                "retention",
                [
                    .integer("group_file_days", \.spaces.group.fileDays, fileDaysRule),
                    .integer("private_file_days", \.spaces.user.fileDays, fileDaysRule),
                ]),
            .section(
                "spaces", TrefoilConfig.Spaces.kinds.map { kind, space in .section(kind, spaceFields(space)) }),
            .section(
                "upload",
                [
                    .stringList("local_roots", \.upload.localRoots, item: .absolutePath),
                    .integer("url_fetch_timeout_ms", \.upload.urlFetchTimeoutMS, .between(1, ConfigBound.dayMS)),
                    .integer(
                        "url_fetch_total_timeout_ms", \.upload.urlFetchTotalTimeoutMS, .between(1, ConfigBound.weekMS)),
                    .boolean("allow_private_networks", \.upload.allowPrivateNetworks),
                    .boolean("compute_sha3", \.upload.computeSHA3),
                ]),
            .section(
                "download",
                [
                    .integer("url_ttl_seconds", \.download.urlTTLSeconds, .between(1, ConfigBound.tenYearsSeconds)),
                    .string("signing_key", \.download.signingKey, secret: true),
                    .integer("count_flush_interval_ms", \.download.countFlushIntervalMS, .between(10, 600_000)),
                ]),
            .section(
                "staging",
                [
                    .integer("ttl_seconds", \.staging.ttlSeconds, .between(1, ConfigBound.tenYearsSeconds)),
                    .integer("max_ttl_seconds", \.staging.maxTTLSeconds, .between(1, ConfigBound.tenYearsSeconds)),
                    .integer("max_pending_per_connection", \.staging.maxPendingPerConnection, .between(1, 100_000)),
                    .integer("max_pending", \.staging.maxPending, .between(1, 1_000_000)),
                    .integer("max_pending_bytes", \.staging.maxPendingBytes, .between(1, ConfigBound.tebibyte * 64)),
                    .integer("pending_idle_seconds", \.staging.pendingIdleSeconds, .between(1, 7 * 86_400)),
                ]),
            .section(
                "metrics",
                [
                    .boolean("enable", \.metrics.enable),
                    // 0 opens no second listener.
                    .integer("listen_port", \.metrics.listenPort, .between(0, 65535)),
                ]),
        ]
    }

    /// `storage.blobs.s3`. Whether the keys a bucket needs are set is checked with the backend (`blobProblems`).
    static var s3Fields: [ConfigField<TrefoilConfig>] {
        [
            .string("endpoint", \.storage.blobs.s3.endpoint, .httpURLOrEmpty),
            .string("region", \.storage.blobs.s3.region, .nonBlank(allowed: "a region name such as us-east-1")),
            .string("bucket", \.storage.blobs.s3.bucket, .bucketName),
            .string("prefix", \.storage.blobs.s3.prefix, .keyPrefix),
            .string("access_key_id", \.storage.blobs.s3.accessKeyID),
            .string("secret_access_key", \.storage.blobs.s3.secretAccessKey, secret: true),
            .boolean("path_style", \.storage.blobs.s3.pathStyle),
            // S3's own bounds: parts of 5 MiB to 5 GiB.
            .integer("part_size_bytes", \.storage.blobs.s3.partSizeBytes, .between(5 << 20, 5 << 30)),
            .integer("part_concurrency", \.storage.blobs.s3.partConcurrency, .between(1, 64)),
            .integer("timeout_ms", \.storage.blobs.s3.timeoutMS, .between(100, ConfigBound.hourMS)),
            .string("downloads", \.storage.blobs.s3.downloads, .oneOf(["proxy", "redirect"], what: "download mode")),
            // SigV4's own bound on a presigned URL: 7 days.
            .integer("presign_ttl_seconds", \.storage.blobs.s3.presignTTLSeconds, .between(1, 604_800)),
            .integer("delete_grace_seconds", \.storage.blobs.s3.deleteGraceSeconds, .between(0, 30 * 86_400)),
        ]
    }

    /// The S3 keys a bucket cannot do without, when `storage.blobs.backend` is `s3`.
    static func blobProblems(_ config: TrefoilConfig, source: String) -> [ConfigProblem] {
        guard config.storage.blobs.backend == "s3" else { return [] }
        return config.storage.blobs.s3.missingKeys.map {
            ConfigProblem(
                source: source, key: "storage.blobs.s3.\($0)",
                problem: "must be set when storage.blobs.backend is \"s3\"")
        }
    }

    /// The keys of one kind in the `spaces` section.
    static func spaceFields(_ space: WritableKeyPath<TrefoilConfig.Spaces, TrefoilConfig.Space>)
        -> [ConfigField<TrefoilConfig>]
    {
        let spaces: WritableKeyPath<TrefoilConfig, TrefoilConfig.Spaces> = \.spaces
        let path = spaces.appending(path: space)
        let (totalSpace, fileLimit, fileDays):
            (
                WritableKeyPath<TrefoilConfig.Space, Int64>, WritableKeyPath<TrefoilConfig.Space, Int>,
                WritableKeyPath<TrefoilConfig.Space, Int>
            ) = (\.totalSpace, \.fileLimit, \.fileDays)
        return [
            .integer("total_space", path.appending(path: totalSpace), totalSpaceRule),
            .integer("file_limit", path.appending(path: fileLimit), fileLimitRule),
            .integer("file_days", path.appending(path: fileDays), fileDaysRule),
        ]
    }

    static let totalSpaceRule = ConfigIntegerRule.between(1, ConfigBound.pebibyte)
    static let fileLimitRule = ConfigIntegerRule.between(1, 1_000_000_000)
    static let fileDaysRule = ConfigIntegerRule.between(0, ConfigBound.centuryDays)

    /// Keys that a newer key replaced, each with the key that replaced it. Both keep working, but a config that
    /// sets both of a pair is refused: which of the two values was meant would be a guess.
    static let replacedKeys: [(old: String, new: String)] = [
        ("limits.group_total_space", "spaces.group.total_space"),
        ("limits.group_file_limit", "spaces.group.file_limit"),
        ("retention.group_file_days", "spaces.group.file_days"),
        ("retention.private_file_days", "spaces.user.file_days"),
    ]

    /// The problem reported on a replaced key set together with `new`, the key that replaced it.
    static func replacedKeyProblem(_ new: String) -> String {
        "set together with \(new), which replaces it (keep only \(new))"
    }
}

/// The upper ends of the integer ranges. Each is far beyond any sensible setting and far below where the arithmetic
/// it feeds (deadlines in nanoseconds, expiry times in seconds since 1970, byte counts summed per group) could
/// overflow; a value that passes `check-config` must never trap at run time.
public enum ConfigBound {
    /// The largest integer a JSON reader that uses doubles (JavaScript bots) reads exactly: 2^53 - 1.
    public static let jsonSafeInteger: Int64 = 9_007_199_254_740_991
    /// In-memory sizes (a WebSocket message, a JSON body): 1 GiB. NIO refuses frames over 4 GiB at start-up.
    public static let gibibyte: Int64 = 1 << 30
    /// Streamed sizes (an upload body, one file): 1 TiB.
    public static let tebibyte: Int64 = 1 << 40
    /// A space's quota: 1 PiB.
    public static let pebibyte: Int64 = 1 << 50
    public static let hourMS: Int64 = 3_600_000
    public static let dayMS: Int64 = 86_400_000
    public static let weekMS: Int64 = 604_800_000
    /// 3650 days.
    public static let tenYearsSeconds: Int64 = 315_360_000
    public static let centuryDays: Int64 = 36_500
}

import Foundation

extension TrefoilConfig {
    /// The settings as one log line of `key=value` pairs, with secrets shown only as "set" or "not set": the core's
    /// keys, then each stored section's.
    public var redactedSummary: String {
        let pairs: [(String, String)] = [
            ("server.host", server.host),
            ("server.port", "\(server.port)"),
            ("server.public_url", ConfigRedaction.loggableURL(server.publicURL)),
            ("server.max_body_bytes", "\(server.maxBodyBytes)"),
            ("server.ws_max_message_bytes", "\(server.wsMaxMessageBytes)"),
            ("server.max_request_bytes", "\(server.maxRequestBytes)"),
            ("server.idle_timeout_ms", "\(server.idleTimeoutMS)"),
            ("server.max_connections", "\(server.maxConnections)"),
            ("server.shutdown_timeout_ms", "\(server.shutdownTimeoutMS)"),
            ("server.max_background_actions", "\(server.maxBackgroundActions)"),
            ("server.max_background_bytes", "\(server.maxBackgroundBytes)"),
            ("storage.data_dir", ConfigWording.quoted(storage.dataDir)),
            ("storage.blobs.backend", storage.blobs.backend),
            ("storage.blobs.inline_max_bytes", "\(storage.blobs.inlineMaxBytes)"),
            ("limits.max_file_bytes", "\(limits.maxFileBytes)"),
            ("limits.max_folder_depth", "\(limits.maxFolderDepth)"),
        ]
        let spacePairs = Spaces.kinds.flatMap { kind, path -> [(String, String)] in
            let space = spaces[keyPath: path]
            return [
                ("spaces.\(kind).total_space", "\(space.totalSpace)"),
                ("spaces.\(kind).file_limit", "\(space.fileLimit)"),
                ("spaces.\(kind).file_days", "\(space.fileDays)"),
            ]
        }
        let rest: [(String, String)] = [
            ("upload.local_roots", "[\(upload.localRoots.map(ConfigWording.quoted).joined(separator: ", "))]"),
            ("upload.url_fetch_timeout_ms", "\(upload.urlFetchTimeoutMS)"),
            ("upload.url_fetch_total_timeout_ms", "\(upload.urlFetchTotalTimeoutMS)"),
            ("upload.allow_private_networks", "\(upload.allowPrivateNetworks)"),
            ("upload.compute_sha3", "\(upload.computeSHA3)"),
            ("download.url_ttl_seconds", "\(download.urlTTLSeconds)"),
            ("download.signing_key", ConfigRedaction.presence(download.signingKey)),
            ("download.count_flush_interval_ms", "\(download.countFlushIntervalMS)"),
            ("staging.ttl_seconds", "\(staging.ttlSeconds)"),
            ("staging.max_ttl_seconds", "\(staging.maxTTLSeconds)"),
            ("staging.max_pending_per_connection", "\(staging.maxPendingPerConnection)"),
            ("staging.max_pending", "\(staging.maxPending)"),
            ("staging.max_pending_bytes", "\(staging.maxPendingBytes)"),
            ("staging.pending_idle_seconds", "\(staging.pendingIdleSeconds)"),
            ("metrics.enable", "\(metrics.enable)"),
            ("metrics.listen_port", "\(metrics.listenPort)"),
        ]
        let s3 = storage.blobs.s3
        let s3Pairs: [(String, String)] =
            storage.blobs.backend != "s3"
            ? []
            : [
                ("storage.blobs.s3.endpoint", ConfigRedaction.loggableURL(s3.endpoint)),
                ("storage.blobs.s3.region", s3.region), ("storage.blobs.s3.bucket", s3.bucket),
                ("storage.blobs.s3.prefix", ConfigWording.quoted(s3.prefix)),
                ("storage.blobs.s3.access_key_id", ConfigRedaction.presence(s3.accessKeyID)),
                ("storage.blobs.s3.secret_access_key", ConfigRedaction.presence(s3.secretAccessKey)),
                ("storage.blobs.s3.path_style", "\(s3.pathStyle)"),
                ("storage.blobs.s3.part_size_bytes", "\(s3.partSizeBytes)"),
                ("storage.blobs.s3.part_concurrency", "\(s3.partConcurrency)"),
                ("storage.blobs.s3.timeout_ms", "\(s3.timeoutMS)"), ("storage.blobs.s3.downloads", s3.downloads),
                ("storage.blobs.s3.presign_ttl_seconds", "\(s3.presignTTLSeconds)"),
                ("storage.blobs.s3.delete_grace_seconds", "\(s3.deleteGraceSeconds)"),
            ]
        return (pairs + s3Pairs + spacePairs + rest + sections.summary.map { ($0.key, $0.value) }).map {
            "\($0.0)=\($0.1)"
        }
        .joined(separator: " ")
    }
}

/// How secrets and URLs appear in the start-up log line.
public enum ConfigRedaction {
    /// A secret as "set" or "not set", never its value.
    public static func presence(_ secret: String) -> String {
        secret.isEmpty ? "not set" : "set"
    }

    /// A URL without user info, query or fragment: operators sometimes put tokens there, and logs outlive configs.
    public static func loggableURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unparseable URL)" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "(unparseable URL)"
    }
}

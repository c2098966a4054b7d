import Foundation
import Testing

@testable import OneBotV11
@testable import TrefoilConfiguration

/// Every integer key has both ends of a range, so that no value `check-config` accepts can overflow the arithmetic
/// it feeds at run time (expiry times, deadlines, quotas).
@Suite("Config integer ranges")
struct ConfigRangeTests {
    /// Each integer key with its range.
    static let ranges: [(key: String, low: Int64, top: Int64)] = [
        ("self_id", 1, 9_007_199_254_740_991),
        ("server.port", 1, 65535),
        ("server.max_body_bytes", 1, 1 << 40),
        ("server.ws_max_message_bytes", 1, 1 << 30),
        ("server.max_request_bytes", 1, 1 << 30),
        ("server.idle_timeout_ms", 100, 3_600_000),
        ("server.max_connections", 1, 1_000_000),
        ("server.shutdown_timeout_ms", 0, 3_600_000),
        ("server.max_background_actions", 1, 100_000),
        ("server.max_background_bytes", 65_536, 1 << 40),
        ("heartbeat.interval_ms", 1, 86_400_000),
        ("reverse_ws[0].reconnect_interval_ms", 1, 3_600_000),
        ("http_post[0].timeout_ms", 1, 3_600_000),
        ("http_post[0].retry_window_ms", 1, 604_800_000),
        ("limits.max_file_bytes", 1, 1 << 40),
        ("limits.group_total_space", 1, 1 << 50),
        ("limits.group_file_limit", 1, 1_000_000_000),
        ("limits.max_folder_depth", 1, 64),
        ("retention.group_file_days", 0, 36_500),
        ("retention.private_file_days", 0, 36_500),
        ("spaces.group.total_space", 1, 1 << 50),
        ("spaces.group.file_limit", 1, 1_000_000_000),
        ("spaces.group.file_days", 0, 36_500),
        ("spaces.user.total_space", 1, 1 << 50),
        ("spaces.user.file_limit", 1, 1_000_000_000),
        ("spaces.user.file_days", 0, 36_500),
        ("spaces.app.total_space", 1, 1 << 50),
        ("spaces.app.file_limit", 1, 1_000_000_000),
        ("spaces.app.file_days", 0, 36_500),
        ("spaces.staging.total_space", 1, 1 << 50),
        ("spaces.staging.file_limit", 1, 1_000_000_000),
        ("spaces.staging.file_days", 0, 36_500),
        ("spaces.avatar.total_space", 1, 1 << 50),
        ("spaces.avatar.file_limit", 1, 1_000_000_000),
        ("spaces.avatar.file_days", 0, 36_500),
        ("upload.url_fetch_timeout_ms", 1, 86_400_000),
        ("storage.blobs.inline_max_bytes", 0, 1 << 20),
        ("storage.blobs.s3.part_size_bytes", 5 << 20, 5 << 30),
        ("storage.blobs.s3.part_concurrency", 1, 64),
        ("storage.blobs.s3.timeout_ms", 100, 3_600_000),
        ("storage.blobs.s3.presign_ttl_seconds", 1, 604_800),
        ("storage.blobs.s3.delete_grace_seconds", 0, 2_592_000),
        ("upload.url_fetch_total_timeout_ms", 1, 604_800_000),
        ("download.url_ttl_seconds", 1, 315_360_000),
        ("download.count_flush_interval_ms", 10, 600_000),
        ("staging.ttl_seconds", 1, 315_360_000),
        ("staging.max_ttl_seconds", 1, 315_360_000),
        ("staging.max_pending_per_connection", 1, 100_000),
        ("staging.max_pending", 1, 1_000_000),
        ("staging.max_pending_bytes", 1, 1 << 46),
        ("staging.pending_idle_seconds", 1, 604_800),
        ("metrics.listen_port", 0, 65535),
        ("easemob.token_ttl_seconds", 0, 315_360_000),
        ("easemob.chat_file_max_bytes", 1, 1 << 40),
        ("easemob.share_file_max_bytes", 1, 1 << 40),
        ("easemob.thumbnail_width", 1, 10_000),
        ("easemob.thumbnail_height", 1, 10_000),
        ("easemob.thumbnail_max_pixels", 1, 1 << 40),
        ("easemob.calls_per_second", 0, 1_000_000),
        ("qiniu_im.ticket_ttl_seconds", 1, 604_800),
        ("qiniu_im.file_max_bytes", 1, 1 << 40),
        ("qiniu_im.voice_max_bytes", 1, 1 << 40),
        ("qiniu_im.image_max_bytes", 1, 1 << 40),
        ("qiniu_im.video_max_bytes", 1, 1 << 40),
        ("qiniu_im.avatar_max_bytes", 1, 1 << 40),
        ("qiniu_im.thumbnail_width", 1, 10_000),
        ("qiniu_im.thumbnail_height", 1, 10_000),
        ("qiniu_im.thumbnail_max_pixels", 1, 1 << 40),
        ("qiniu_im.store_token_ttl_seconds", 1, 315_360_000),
        ("qiniu_im.ffmpeg_timeout_ms", 100, 3_600_000),
        ("console.session_ttl_seconds", 60, 2_592_000),
    ]

    /// A config document that sets `key` (a dotted path, with `[0]` for the first list entry) to `value`.
    static func document(_ key: String, _ value: Int64) -> String {
        let parts = key.split(separator: ".").map(String.init)
        if parts.count == 2, parts[0].hasSuffix("[0]") {
            let list = parts[0].dropLast(3)
            let url = list == "reverse_ws" ? "ws://127.0.0.1:1/" : "http://127.0.0.1:1/"
            return #"{"\#(list)": [{"url": "\#(url)", "\#(parts[1])": \#(value)}]}"#
        }
        return parts.reversed().reduce("\(value)") { inner, part in #"{"\#(part)": \#(inner)}"# }
    }

    @Test("every integer key accepts both ends of its range and refuses one past either end", arguments: ranges)
    func rangeEnds(key: String, low: Int64, top: Int64) {
        let allowed = "(allowed: \(low) to \(top))"
        #expect(
            ConfigTestSupport.problems(Self.document(key, top + 1)) == [
                "config.json: \(key): \(top + 1) is out of range \(allowed)"
            ])
        #expect(
            ConfigTestSupport.problems(Self.document(key, low - 1)) == [
                "config.json: \(key): \(low - 1) is out of range \(allowed)"
            ])
        #expect(ConfigTestSupport.problems(Self.document(key, top)) == [])
        #expect(ConfigTestSupport.problems(Self.document(key, low)) == [])
    }

    @Test("the values that crashed the first upload are refused, from the file and from the environment")
    func overflowingTimesAreRefused() {
        #expect(
            ConfigTestSupport.problems(
                #"{"download": {"url_ttl_seconds": 9223372036854775807}, "retention": {"group_file_days": 9223372036854775807}}"#
            ) == [
                "config.json: download.url_ttl_seconds: 9223372036854775807 is out of range (allowed: 1 to 315360000)",
                "config.json: retention.group_file_days: 9223372036854775807 is out of range (allowed: 0 to 36500)",
            ])
        #expect(
            ConfigTestSupport.problems("{}", environment: ["TREFOIL_DOWNLOAD_URL_TTL_SECONDS": "9223372036854775807"])
                == [
                    "environment: TREFOIL_DOWNLOAD_URL_TTL_SECONDS: 9223372036854775807 is out of range (allowed: 1 to 315360000)"
                ])
    }

    @Test("the table of ranges lists every integer key of the schema and of the sections the executable declares")
    func everyIntegerKeyIsListed() {
        let keys =
            Self.integerKeys(ConfigSchema.fields(sections: ConfigTestSupport.sections), prefix: "")
            + Self.integerKeys(OneBot11Settings.reverseWebSocketFields, prefix: "reverse_ws[0].")
            + Self.integerKeys(OneBot11Settings.httpPostFields, prefix: "http_post[0].")
        #expect(keys.sorted() == Self.ranges.map(\.key).sorted())
    }

    private static func integerKeys<Root>(_ fields: [ConfigField<Root>], prefix: String) -> [String] {
        fields.flatMap { field -> [String] in
            switch field.kind {
            case .section(let inner): integerKeys(inner, prefix: prefix + field.name + ".")
            case .integer: [prefix + field.name]
            default: []
            }
        }
    }
}

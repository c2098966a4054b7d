import Foundation
import OneBotV11
import Testing
import TrefoilConfiguration

@Suite("Config secrets stay out of output")
struct ConfigSecretTests {
    @Test func secretsWithWrongTypesReportOnlyTheType() {
        let json = """
            {"access_token": 123456789, "download": {"signing_key": true},
             "http_post": [{"url": "http://h/", "secret": ["hunter2"]}]}
            """
        let problems = ConfigTestSupport.problems(json)
        #expect(
            problems == [
                "config.json: access_token: expected a string, got a number",
                "config.json: download.signing_key: expected a string, got a boolean",
                "config.json: http_post[0].secret: expected a string, got an array",
            ])
        for line in problems {
            #expect(!line.contains("123456789"))
            #expect(!line.contains("hunter2"))
        }
    }

    @Test func unquotedSecretIsNotQuotedInTheSyntaxError() {
        #expect(
            ConfigTestSupport.problems(#"{"access_token": hunter2}"#) == [
                "config.json: (file): not valid JSON: unexpected character (expected a value) at line 1, column 18"
            ])
    }

    @Test func validSecretsNeverAppearInProblemsWarningsOrSummary() throws {
        let secrets = ["file-token-5f2a", "file-signing-9c1d", "file-post-7e3b", "env-token-4a8e", "env-post-2b6f"]
        let json = """
            {"access_token": "\(secrets[0])", "download": {"signing_key": "\(secrets[1])"},
             "http_post": [{"url": "http://h/", "secret": "\(secrets[2])"}], "server": {"port": 0}}
            """
        let environment = [
            "TREFOIL_ACCESS_TOKEN": secrets[3],
            "TREFOIL_HTTP_POST": #"[{"url":"http://h/","secret":"\#(secrets[4])","timeout_ms":0}]"#,
            "TREFOIL_ACCES_TOKEN": secrets[3],
        ]
        let problems = ConfigTestSupport.problems(json, environment: environment)
        #expect(
            problems == [
                "config.json: server.port: 0 is out of range (allowed: 1 to 65535)",
                "environment: TREFOIL_HTTP_POST: [0].timeout_ms: 0 is out of range (allowed: 1 to 3600000)",
            ])

        let valid = try ConfigTestSupport.load(
            json.replacingOccurrences(of: #""port": 0"#, with: #""port": 1"#),
            environment: environment.merging(["TREFOIL_HTTP_POST": #"[{"url":"http://h/","secret":"\#(secrets[4])"}]"#])
            {
                $1
            })
        #expect(valid.config.onebot11.accessToken == secrets[3])
        #expect(valid.config.onebot11.httpPost.first?.secret == secrets[4])
        #expect(
            valid.warnings == ["TREFOIL_ACCES_TOKEN names no config key; ignored (did you mean TREFOIL_ACCESS_TOKEN?)"])
        let output = (problems + valid.warnings + [valid.config.redactedSummary]).joined(separator: "\n")
        for secret in secrets {
            #expect(!output.contains(secret))
        }
        #expect(valid.config.redactedSummary.contains("access_token=set"))
        #expect(valid.config.redactedSummary.contains("download.signing_key=set"))
        #expect(valid.config.redactedSummary.contains("http_post=[http://h/ (secret set)]"))
    }

    @Test("the summary of the defaults is one line: the core's keys, then each section's")
    func summaryOfDefaultsIsOneLine() throws {
        #expect(
            try ConfigTestSupport.load("{}").config.redactedSummary
                == "server.host=127.0.0.1 server.port=5700"
                + " server.public_url=http://127.0.0.1:5700 server.max_body_bytes=4294967296"
                + " server.ws_max_message_bytes=67108864 server.max_request_bytes=1048576"
                + " server.idle_timeout_ms=60000 server.max_connections=10000 server.shutdown_timeout_ms=30000"
                + " server.max_background_actions=64 server.max_background_bytes=134217728"
                + " storage.data_dir=\"./data\" storage.blobs.backend=disk"
                + " storage.blobs.inline_max_bytes=16384 limits.max_file_bytes=4294967296"
                + " limits.max_folder_depth=8"
                + " spaces.group.total_space=10737418240 spaces.group.file_limit=10000 spaces.group.file_days=0"
                + " spaces.user.total_space=1125899906842624 spaces.user.file_limit=1000000000 spaces.user.file_days=7"
                + " spaces.app.total_space=1125899906842624 spaces.app.file_limit=1000000000 spaces.app.file_days=7"
                + " spaces.staging.total_space=1125899906842624 spaces.staging.file_limit=1000000000"
                + " spaces.staging.file_days=1"
                + " spaces.avatar.total_space=1125899906842624 spaces.avatar.file_limit=1000000000"
                + " spaces.avatar.file_days=0 upload.local_roots=[]"
                + " upload.url_fetch_timeout_ms=60000 upload.url_fetch_total_timeout_ms=3600000"
                + " upload.allow_private_networks=false upload.compute_sha3=false"
                + " download.url_ttl_seconds=3600 download.signing_key=not set download.count_flush_interval_ms=1000"
                + " staging.ttl_seconds=3600 staging.max_ttl_seconds=86400 staging.max_pending_per_connection=16"
                + " staging.max_pending=256 staging.max_pending_bytes=17179869184 staging.pending_idle_seconds=600"
                + " metrics.enable=true metrics.listen_port=0"
                + " self_id=10000 nickname=\"Trefoil\" access_token=not set"
                + " heartbeat.enable=true heartbeat.interval_ms=15000 reverse_ws=[] http_post=[] onebot11.enable=true"
                + " easemob.enable=false easemob.org_name=\"\" easemob.app_name=\"\" easemob.app_id=\"\""
                + " easemob.client_id=\"\" easemob.client_secret=not set easemob.token_ttl_seconds=5184000"
                + " easemob.chat_file_max_bytes=10485760 easemob.share_file_max_bytes=10485760"
                + " easemob.thumbnail_width=170 easemob.thumbnail_height=170 easemob.thumbnail_max_pixels=100000000"
                + " easemob.calls_per_second=0"
                + " qiniu_im.enable=false qiniu_im.app_id=\"\" qiniu_im.jwt_secret=not set qiniu_im.admin_tokens=0 set"
                + " qiniu_im.ticket_ttl_seconds=600 qiniu_im.upload_method=POST qiniu_im.file_max_bytes=104857600"
                + " qiniu_im.voice_max_bytes=10485760 qiniu_im.image_max_bytes=20971520"
                + " qiniu_im.video_max_bytes=209715200 qiniu_im.avatar_max_bytes=5242880 qiniu_im.thumbnail_width=200"
                + " qiniu_im.thumbnail_height=200 qiniu_im.thumbnail_max_pixels=100000000"
                + " qiniu_im.store_token_ttl_seconds=2592000 qiniu_im.ffmpeg_path=\"\" qiniu_im.ffmpeg_timeout_ms=30000"
                + " console.enable=true console.password=not set console.session_ttl_seconds=43200"
                + " console.uploader_id=\"0\""
        )
    }

    @Test func summaryDropsCredentialsEmbeddedInURLs() {
        let summary = ConfigTestSupport.summary(
            OneBot11Settings(
                reverseWS: [.init(url: "ws://user:pw@h:8080/ws?access_token=abc", role: .universal)],
                httpPost: [.init(url: "https://h/post?token=xyz#frag")]))
        #expect(summary.contains("reverse_ws=[Universal ws://h:8080/ws]"))
        #expect(summary.contains("http_post=[https://h/post (secret not set)]"))
        #expect(!summary.contains("pw"))
        #expect(!summary.contains("abc"))
        #expect(!summary.contains("xyz"))
    }
}

import Testing
import TrefoilConfiguration

/// `storage.blobs`: the local folder by default; with `s3`, the bucket's keys, checked before the server starts.
@Suite("Config: storage.blobs")
struct ConfigBlobsTests {
    @Test(
        "by default blobs stay in the local folder, and the S3 defaults are proxy downloads, 16 MiB parts, 900 s grace")
    func defaults() throws {
        let blobs = try ConfigTestSupport.load("{}").config.storage.blobs
        #expect(blobs.backend == "disk")
        #expect(blobs.s3 == TrefoilConfig.S3())
        #expect(blobs.s3.downloads == "proxy" && blobs.s3.partSizeBytes == 16 << 20)
        #expect(blobs.s3.deleteGraceSeconds == 900 && blobs.s3.pathStyle)
    }

    @Test("backend s3 without endpoint, bucket or keys is one line for each missing key")
    func requiredKeys() {
        #expect(
            ConfigTestSupport.problems(#"{"storage": {"blobs": {"backend": "s3"}}}"#) == [
                #"config.json: storage.blobs.s3.endpoint: must be set when storage.blobs.backend is "s3""#,
                #"config.json: storage.blobs.s3.bucket: must be set when storage.blobs.backend is "s3""#,
                #"config.json: storage.blobs.s3.access_key_id: must be set when storage.blobs.backend is "s3""#,
                #"config.json: storage.blobs.s3.secret_access_key: must be set when storage.blobs.backend is "s3""#,
            ])
    }

    @Test("an unknown backend or download mode, a bad bucket name, endpoint or prefix is refused by name")
    func badValues() {
        #expect(
            ConfigTestSupport.problems(#"{"storage": {"blobs": {"backend": "gcs"}}}"#) == [
                #"config.json: storage.blobs.backend: "gcs" is not a valid blob backend (allowed: "disk", "s3")"#
            ])
        let problems = ConfigTestSupport.problems(
            #"{"storage": {"blobs": {"s3": {"bucket": "Bad_Bucket", "endpoint": "ftp://x", "prefix": "a/../b", "downloads": "cdn"}}}}"#
        )
        #expect(problems.count == 4)
        #expect(
            problems.contains {
                $0.hasPrefix("config.json: storage.blobs.s3.bucket: \"Bad_Bucket\" is not a valid bucket name")
            })
        #expect(
            problems.contains { $0.hasPrefix("config.json: storage.blobs.s3.endpoint: \"ftp://x\" is not a valid URL") }
        )
        #expect(
            problems.contains {
                $0.hasPrefix("config.json: storage.blobs.s3.prefix: \"a/../b\" is not a valid key prefix")
            })
        #expect(
            problems.contains {
                $0.hasPrefix("config.json: storage.blobs.s3.downloads: \"cdn\" is not a valid download mode")
            })
    }

    @Test(
        "the secret key comes from the file or TREFOIL_STORAGE_BLOBS_S3_SECRET_ACCESS_KEY and never shows in problems or the summary"
    )
    func secret() throws {
        let file = #"""
            {"storage": {"blobs": {"backend": "s3", "s3": {"endpoint": "http://127.0.0.1:9000", "bucket": "trefoil",
            "access_key_id": "AKIAEXAMPLE"}}}}
            """#
        let loaded = try ConfigTestSupport.load(
            file, environment: ["TREFOIL_STORAGE_BLOBS_S3_SECRET_ACCESS_KEY": "s3cr3t-value"])
        #expect(loaded.config.storage.blobs.s3.secretAccessKey == "s3cr3t-value")
        let summary = loaded.config.redactedSummary
        #expect(summary.contains("storage.blobs.s3.secret_access_key=set"))
        #expect(summary.contains("storage.blobs.s3.bucket=trefoil"))
        #expect(!summary.contains("s3cr3t-value"))
        let wrongType = ConfigTestSupport.problems(
            #"{"storage": {"blobs": {"s3": {"secret_access_key": ["s3cr3t-value"]}}}}"#)
        #expect(wrongType.count == 1)
        #expect(!wrongType.joined().contains("s3cr3t-value"))
    }
}

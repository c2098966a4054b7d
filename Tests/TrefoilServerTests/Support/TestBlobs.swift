import Crypto
import Foundation
import TrefoilConfiguration

/// Where the live servers of this test run keep their blobs: the local folder, or, with `TREFOIL_TEST_BLOBS=s3` in
/// the environment, a bucket of moto's S3 server, one per server folder (a restarted server finds its bucket again).
///
/// The README's test command runs the suites of uploads, downloads, dedup, deletes, quotas and restarts a second time
/// with it set: the same tests, against the S3 backend.
enum TestBlobs {
    static var useS3: Bool { ProcessInfo.processInfo.environment["TREFOIL_TEST_BLOBS"] == "s3" }

    /// Points `config` at the run's backend; `root` is the server's folder.
    static func configure(_ config: inout TrefoilConfig, root: String) async throws {
        guard useS3 else { return }
        let moto = try await MotoServer.plain()
        let name = "live-" + SHA256.hash(data: Data(root.utf8)).map { String(format: "%02x", $0) }.joined().prefix(40)
        moto.use(bucket: try await moto.makeBucket(String(name)), in: &config)
        // The suites' files are small: kept in the database, they would never reach the bucket this pass is for.
        config.storage.blobs.inlineMaxBytes = 0
    }
}

import ArgumentParser
import Foundation
import QiniuFace
import TrefoilConfiguration
import TrefoilCore

/// `trefoil token --user ID [--ttl S] [--store]`: a Qiniu IM user token, as an app's own server mints them.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Print a Qiniu IM user token (an HS256 JWT signed with qiniu_im.jwt_secret), or with --store the user's store_token."
    )

    @Option(help: "The config file (with TREFOIL_ environment overrides); its qiniu_im section must be enabled.")
    var config: String?

    @Option(help: "The user id the token is for.")
    var user: Int64

    @Option(
        help:
            "How long the token stays valid, in seconds (default: a day; for --store, qiniu_im.store_token_ttl_seconds)."
    )
    var ttl: Int64?

    @Flag(help: "Print the user's store_token (the file token downloads accept in the query) instead.")
    var store = false

    func run() async throws {
        let loaded = try loadConfig(config)
        let settings = loaded.config.qiniuIM
        guard settings.enable else {
            printError("qiniu_im is not enabled in this config: set qiniu_im.enable, app_id and jwt_secret")
            throw ExitCode(1)
        }
        if let ttl, !(1...ConfigBound.tenYearsSeconds).contains(ttl) {
            printError("--ttl must be from 1 to \(ConfigBound.tenYearsSeconds) seconds")
            throw ExitCode(1)
        }
        let now = Int64(Date().timeIntervalSince1970)
        if store {
            let directory = DataDirectory(path: loaded.config.storage.dataDir)
            try directory.create()
            let signer = try LinkSigner.load(configured: loaded.config.download.signingKey, directory: directory)
            print(
                QiniuStoreTokens.mint(
                    signer: signer, appID: settings.appID, user: user,
                    expires: now + (ttl ?? settings.storeTokenTTLSeconds)))
        } else {
            print(try await QiniuUserTokens.mint(settings: settings, user: user, ttl: ttl ?? 86_400, now: now))
        }
    }
}

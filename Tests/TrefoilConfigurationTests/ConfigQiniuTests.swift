import Foundation
import QiniuFace
import Testing
import TrefoilConfiguration

/// The `qiniu_im` section as `check-config` and start-up read it.
@Suite("Config: the qiniu_im section")
struct ConfigQiniuTests {
    @Test(
        "enabled, it needs app_id and a jwt_secret of at least 32 bytes; the secret and admin tokens stay out of the summary"
    )
    func required() throws {
        #expect(
            ConfigTestSupport.problems(#"{"qiniu_im": {"enable": true, "jwt_secret": "short"}}"#) == [
                "config.json: qiniu_im.app_id: must be set when qiniu_im.enable is true",
                "config.json: qiniu_im.jwt_secret: must be at least 32 bytes when qiniu_im.enable is true (it signs every user token)",
            ])
        let secret = String(repeating: "s", count: 32)
        let loaded = try ConfigTestSupport.load(
            #"{"qiniu_im": {"enable": true, "app_id": "dapp", "jwt_secret": "\#(secret)", "admin_tokens": ["hunter2"], "upload_method": "PUT"}}"#
        )
        #expect(loaded.config.qiniuIM.uploadMethod == .put)
        #expect(!loaded.config.redactedSummary.contains(secret))
        #expect(!loaded.config.redactedSummary.contains("hunter2"))
        #expect(loaded.config.redactedSummary.contains("qiniu_im.admin_tokens=1 set"))
        #expect(
            ConfigTestSupport.problems(#"{"qiniu_im": {"upload_method": "GET"}}"#).first?.contains(
                "qiniu_im.upload_method")
                == true)
    }
}

import Crypto
import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Link signatures")
struct LinkSignerTests {
    let signer = LinkSigner(key: SymmetricKey(data: Data("k".utf8)))
    let file = FileID("/0b5e6e2c-4f7e-4c55-9d4e-3d2f7a8b9c01")

    @Test("a signature verifies for its purpose, subject and expiry until the expiry")
    func validUntilExpiry() {
        for purpose in LinkPurpose.allCases {
            let signature = signer.signature(purpose, subject: file.rawValue, expires: 1000)
            #expect(signature.wholeMatch(of: /[A-Za-z0-9_-]{43}/) != nil)
            #expect(signer.isValid(signature: signature, purpose, subject: file.rawValue, expires: 1000, now: 999))
            #expect(!signer.isValid(signature: signature, purpose, subject: file.rawValue, expires: 1000, now: 1000))
        }
    }

    @Test("another subject, another expiry, a tampered signature or another key fail")
    func forgeries() {
        let signature = signer.signature(.download, subject: file.rawValue, expires: 1000)
        #expect(!signer.isValid(signature: signature, .download, subject: "/other", expires: 1000, now: 0))
        #expect(!signer.isValid(signature: signature, .download, subject: file.rawValue, expires: 1001, now: 0))
        var tampered = Array(signature)
        tampered[0] = tampered[0] == "A" ? "B" : "A"
        #expect(!signer.isValid(signature: String(tampered), .download, subject: file.rawValue, expires: 1000, now: 0))
        #expect(!signer.isValid(signature: "not base64!", .download, subject: file.rawValue, expires: 1000, now: 0))
        #expect(!signer.isValid(signature: "", .download, subject: file.rawValue, expires: 1000, now: 0))
        let other = LinkSigner(key: SymmetricKey(data: Data("k2".utf8)))
        #expect(!other.isValid(signature: signature, .download, subject: file.rawValue, expires: 1000, now: 0))
    }

    @Test("authenticity ignores the time; validity also wants the expiry ahead")
    func authenticWhateverTheTime() {
        let token = signer.signature(.appToken, subject: "acme#chat", expires: 0)
        #expect(signer.isAuthentic(signature: token, .appToken, subject: "acme#chat", expires: 0))
        #expect(!signer.isValid(signature: token, .appToken, subject: "acme#chat", expires: 0, now: 0))
        #expect(!signer.isAuthentic(signature: token, .appToken, subject: "acme#chat", expires: 1))
        #expect(!signer.isAuthentic(signature: token, .appToken, subject: "acme#chat2", expires: 0))
        #expect(!signer.isAuthentic(signature: token, .share, subject: "acme#chat", expires: 0))
        #expect(!signer.isAuthentic(signature: "not base64!", .appToken, subject: "acme#chat", expires: 0))
        let other = LinkSigner(key: SymmetricKey(data: Data("k2".utf8)))
        #expect(!other.isAuthentic(signature: token, .appToken, subject: "acme#chat", expires: 0))
    }

    @Test(
        "a file's access secret is 22 URL-safe characters, the same from every signer with the key, different per file and key"
    )
    func accessSecrets() {
        let secret = signer.accessSecret(for: file)
        // HMAC-SHA256 with the key "k" over "access-secret|/0b5e…9c01|0", base64url, 22 characters (computed with
        // openssl): secrets handed out before an upgrade must keep working after it.
        #expect(secret == "cQykmc_JdevL_KVCiSAkhn")
        #expect(secret == String(signer.signature(.accessSecret, subject: file.rawValue, expires: 0).prefix(22)))
        #expect(LinkSigner(key: SymmetricKey(data: Data("k".utf8))).accessSecret(for: file) == secret)
        #expect(signer.accessSecret(for: FileID("/0b5e6e2c-4f7e-4c55-9d4e-3d2f7a8b9c02")) != secret)
        #expect(LinkSigner(key: SymmetricKey(data: Data("k2".utf8))).accessSecret(for: file) != secret)
        // Not any other purpose's signature of the same subject.
        #expect(!signer.signature(.download, subject: file.rawValue, expires: 0).hasPrefix(secret))

        #expect(signer.isAccessSecret(secret, for: file))
        #expect(!signer.isAccessSecret(secret, for: FileID("/0b5e6e2c-4f7e-4c55-9d4e-3d2f7a8b9c02")))
        #expect(!signer.isAccessSecret(String(secret.dropLast()), for: file))
        #expect(!signer.isAccessSecret(secret + "A", for: file))
        #expect(!signer.isAccessSecret("", for: file))
        var tampered = Array(secret)
        tampered[21] = tampered[21] == "A" ? "B" : "A"
        #expect(!signer.isAccessSecret(String(tampered), for: file))
    }

    @Test("a signature made for one purpose verifies for no other", arguments: LinkPurpose.allCases)
    func purposesDoNotMix(purpose: LinkPurpose) {
        // Subjects picked so that, were the purpose not signed, a message of one purpose would be one of another:
        // the download of "share|x" would be the share of "x".
        let subjects = [file.rawValue, "x", "share|x", "upload-ticket|x", "download|x", "download|/x", "/x"]
        for subject in subjects {
            let signature = signer.signature(purpose, subject: subject, expires: 1000)
            for other in LinkPurpose.allCases where other != purpose {
                for candidate in subjects {
                    #expect(!signer.isValid(signature: signature, other, subject: candidate, expires: 1000, now: 0))
                }
            }
        }
    }

    @Test("no purpose's name starts with / or holds |, which keeps the purposes' messages apart")
    func purposeNames() {
        for purpose in LinkPurpose.allCases {
            #expect(!purpose.rawValue.hasPrefix("/"))
            #expect(!purpose.rawValue.contains("|"))
        }
    }

    @Test("a download link signed as releases before link purposes signed it still verifies")
    func legacyDownloadSignature() {
        // HMAC-SHA256 with the key "k" over "/0b5e…9c01|1700000000", base64url without padding: how download
        // links were signed before purposes existed (computed with openssl, not with this code).
        let legacy = "vsOqY3jm1IPbTwjNxfzJvwjd33-JYKktQ2XIAo1dKFc"
        #expect(signer.signature(.download, subject: file.rawValue, expires: 1_700_000_000) == legacy)
        #expect(signer.isValid(signature: legacy, .download, subject: file.rawValue, expires: 1_700_000_000, now: 0))
        #expect(!signer.isValid(signature: legacy, .share, subject: file.rawValue, expires: 1_700_000_000, now: 0))
        #expect(
            !signer.isValid(signature: legacy, .uploadTicket, subject: file.rawValue, expires: 1_700_000_000, now: 0))
    }

    @Test("the link that the release before schema v3 accepted verifies with the key it generated")
    func fixtureLink() throws {
        let fixture = try MigrationFixture()
        let directory = DataDirectory(path: fixturePath("v2-store/data"))
        let signer = try LinkSigner.load(configured: "", directory: directory)
        #expect(
            signer.isValid(
                signature: fixture.link.signature, .download, subject: fixture.link.file.rawValue,
                expires: fixture.link.expires, now: 0))
    }

    @Test("without a configured key, one is generated once and kept, so links survive restarts")
    func generatedKeyPersists() throws {
        let directory = DataDirectory(path: makeTempDirectory())
        defer { try? FileManager.default.removeItem(at: directory.root) }
        try directory.create()
        let first = try LinkSigner.load(configured: "", directory: directory)
        let second = try LinkSigner.load(configured: "", directory: directory)
        let signature = first.signature(.download, subject: file.rawValue, expires: 50)
        #expect(second.isValid(signature: signature, .download, subject: file.rawValue, expires: 50, now: 0))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.signingKeyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let configured = try LinkSigner.load(configured: "secret", directory: directory)
        #expect(!configured.isValid(signature: signature, .download, subject: file.rawValue, expires: 50, now: 0))
    }
}

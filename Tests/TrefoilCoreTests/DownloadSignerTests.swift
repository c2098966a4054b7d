import Crypto
import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

@Suite("Download signatures")
struct DownloadSignerTests {
    let signer = DownloadSigner(key: SymmetricKey(data: Data("k".utf8)))
    let file = FileID("/0b5e6e2c-4f7e-4c55-9d4e-3d2f7a8b9c01")

    @Test("a signature verifies for its file and expiry until the expiry")
    func validUntilExpiry() {
        let signature = signer.signature(for: file, expires: 1000)
        #expect(signature.wholeMatch(of: /[A-Za-z0-9_-]{43}/) != nil)
        #expect(signer.isValid(signature: signature, for: file, expires: 1000, now: 999))
        #expect(!signer.isValid(signature: signature, for: file, expires: 1000, now: 1000))
    }

    @Test("another file, another expiry, a tampered signature or another key fail")
    func forgeries() {
        let signature = signer.signature(for: file, expires: 1000)
        #expect(!signer.isValid(signature: signature, for: FileID("/other"), expires: 1000, now: 0))
        #expect(!signer.isValid(signature: signature, for: file, expires: 1001, now: 0))
        var tampered = Array(signature)
        tampered[0] = tampered[0] == "A" ? "B" : "A"
        #expect(!signer.isValid(signature: String(tampered), for: file, expires: 1000, now: 0))
        #expect(!signer.isValid(signature: "not base64!", for: file, expires: 1000, now: 0))
        #expect(!signer.isValid(signature: "", for: file, expires: 1000, now: 0))
        let other = DownloadSigner(key: SymmetricKey(data: Data("k2".utf8)))
        #expect(!other.isValid(signature: signature, for: file, expires: 1000, now: 0))
    }

    @Test("without a configured key, one is generated once and kept, so links survive restarts")
    func generatedKeyPersists() throws {
        let directory = DataDirectory(path: makeTempDirectory())
        defer { try? FileManager.default.removeItem(at: directory.root) }
        try directory.create()
        let first = try DownloadSigner.load(configured: "", directory: directory)
        let second = try DownloadSigner.load(configured: "", directory: directory)
        let signature = first.signature(for: file, expires: 50)
        #expect(second.isValid(signature: signature, for: file, expires: 50, now: 0))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.signingKeyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let configured = try DownloadSigner.load(configured: "secret", directory: directory)
        #expect(!configured.isValid(signature: signature, for: file, expires: 50, now: 0))
    }
}

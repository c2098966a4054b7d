import Crypto

extension Digests {
    /// The digests of bytes held in memory, computed in place: for the small uploads that never get a temp file
    /// (at most `FileTree.Settings.inlineBlobBytes`, microseconds of hashing), the lanes of `IngestPipeline` would
    /// cost more in hand-offs than they save.
    init(of bytes: [UInt8], computeSHA3: Bool) {
        self.init(
            sha256: SHA256.hash(data: bytes).hexString, md5: Insecure.MD5.hash(data: bytes).hexString,
            sha1: Insecure.SHA1.hash(data: bytes).hexString,
            sha3: computeSHA3 ? SHA3_256.hash(data: bytes).hexString : "")
    }
}

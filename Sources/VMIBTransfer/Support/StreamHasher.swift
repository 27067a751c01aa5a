import Crypto

/// SHA-256 and MD5 of a byte stream, fed chunk by chunk so memory stays flat.
///
/// `@unchecked Sendable`: swift-crypto's hash states are values without a Sendable
/// conformance; we only hand one from thread to thread in turn, never share it.
struct StreamHasher: @unchecked Sendable {
    private var sha: SHA256?
    private var md5: Insecure.MD5?
    private(set) var count: Int64 = 0

    /// - Parameter md5: false when only the SHA-256 will be looked at (the digest's `md5`
    ///   is then empty): MD5 costs more than twice as much CPU as SHA-256 with SHA
    ///   extensions, and a multipart upload hashed every byte five times over.
    /// - Parameter sha256: false when only the MD5 will be looked at (the digest's `sha256`
    ///   is then empty).
    init(sha256: Bool = true, md5: Bool = true) {
        self.sha = sha256 ? SHA256() : nil
        self.md5 = md5 ? Insecure.MD5() : nil
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha?.update(bufferPointer: bytes)
        md5?.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    /// The digest of everything fed so far.
    func finalize() -> ObjectDigest {
        ObjectDigest(size: count, sha256: sha.map { Hex.encode($0.finalize()) } ?? "", md5: md5.map { Hex.encode($0.finalize()) } ?? "")
    }
}

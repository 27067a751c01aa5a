import Crypto

/// SHA-256 and MD5 of a byte stream, fed chunk by chunk so memory stays flat.
///
/// `@unchecked Sendable`: swift-crypto's hash states are values without a Sendable
/// conformance; we only hand one from thread to thread in turn, never share it.
struct StreamHasher: @unchecked Sendable {
    private var sha = SHA256()
    private var md5 = Insecure.MD5()
    private(set) var count: Int64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        count += Int64(bytes.count)
    }

    /// The digest of everything fed so far.
    func finalize() -> ObjectDigest {
        ObjectDigest(size: count, sha256: Hex.encode(sha.finalize()), md5: Hex.encode(md5.finalize()))
    }
}

/// How a file is cut into multipart parts. Deterministic in (size, preferred part size),
/// so a resumed upload cuts the file exactly as the interrupted one did.
struct S3PartPlan: Sendable {
    struct Part: Sendable {
        var number: Int
        var offset: Int64
        var length: Int64

        /// The part as UploadPartCopy's `x-amz-copy-source-range`: `bytes=first-last`,
        /// both inclusive.
        var copySourceRange: String { "bytes=\(offset)-\(offset + length - 1)" }
    }

    /// S3 allows at most this many parts per upload.
    static let maxParts: Int64 = 10_000

    let partSize: Int64
    let parts: [Part]

    init(size: Int64, preferredPartSize: Int64) {
        // Grow the part size (in whole MiB) when the preferred one would need too many parts.
        let mib: Int64 = 1 << 20
        let needed = (size + Self.maxParts - 1) / Self.maxParts
        let partSize = max(preferredPartSize, (needed + mib - 1) / mib * mib, 1)
        self.partSize = partSize
        var parts: [Part] = []
        var offset: Int64 = 0
        while offset < size {
            let length = min(partSize, size - offset)
            parts.append(Part(number: parts.count + 1, offset: offset, length: length))
            offset += length
        }
        self.parts = parts
    }
}

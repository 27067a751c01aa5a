import Crypto

/// S3 ETags: an MD5 of the content for simple uploads, and for multipart uploads the MD5
/// of the concatenated binary part MD5s followed by `-<part count>`.
enum S3ETag {
    /// Strips the quotes S3 puts around ETags (in headers and, entity-escaped, in XML).
    static func unquote(_ etag: String) -> String {
        var s = Substring(etag.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("W/") { s = s.dropFirst(2) }
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return String(s).lowercased()
    }

    /// The ETag of a multipart upload whose parts have these MD5s (hex), in part order.
    static func multipart(partMD5s: [String]) -> String {
        var md5 = Insecure.MD5()
        for part in partMD5s {
            md5.update(data: Hex.decode(part) ?? [])
        }
        return "\(Hex.encode(md5.finalize()))-\(partMD5s.count)"
    }

    /// True for the `<32 hex>-<N>` form of a multipart ETag.
    static func isMultipartForm(_ etag: String) -> Bool {
        partCount(etag) != nil
    }

    /// N of a multipart ETag `<32 hex>-<N>`; nil for any other form.
    static func partCount(_ etag: String) -> Int? {
        let pieces = etag.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, isMD5(String(pieces[0])), let n = Int(pieces[1]), n >= 1 else { return nil }
        return n
    }

    /// True for a plain MD5 ETag (32 hex digits): what a single PUT or one part has.
    static func isMD5(_ etag: String) -> Bool {
        etag.utf8.count == 32 && Hex.decode(etag) != nil
    }
}

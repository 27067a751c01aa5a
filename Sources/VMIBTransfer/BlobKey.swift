/// Checks keys before they become paths or URLs.
///
/// Keys are relative `/`-separated paths. Rejecting `.`/`..`, empty segments and leading
/// or trailing slashes keeps a key from escaping a directory store's root and keeps both
/// stores agreeing on which keys exist (S3 servers backed by files, like rclone, reject
/// them too).
enum BlobKey {
    /// - Throws: `TransferError` `.fatal` naming the key and what is wrong with it.
    static func validate(_ key: String) throws {
        func fail(_ why: String) -> TransferError {
            TransferError(code: .fatal, target: key, message: "invalid key: \(why)")
        }
        guard !key.isEmpty else { throw fail("empty") }
        guard !key.utf8.contains(0) else { throw fail("contains NUL") }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw fail("empty path segment (leading, trailing or double '/')") }
            if segment == "." || segment == ".." { throw fail("'.' and '..' segments are not allowed") }
        }
    }

    /// Validates a listing prefix: like a key, but may be empty or end with `/`.
    static func validatePrefix(_ prefix: String) throws {
        guard !prefix.isEmpty else { return }
        try validate(prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    }
}

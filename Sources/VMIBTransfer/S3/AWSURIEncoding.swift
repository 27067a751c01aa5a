/// Percent-encoding as AWS Signature V4 canonicalizes it: every byte except
/// `A-Z a-z 0-9 - _ . ~` becomes `%XX` (uppercase).
///
/// libcurl 7.88 signs the path and query exactly as they appear in the URL — it neither
/// encodes nor sorts them — so the URL we hand it must already be in canonical form or the
/// server computes a different signature (`?uploads` must be `?uploads=`, `prefix=a/` must
/// be `prefix=a%2F`, parameters sorted by name).
enum AWSURIEncoding {
    static func encode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A key as a URL path: each segment encoded, the `/` between them kept.
    static func encodePath(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode(String($0)) }
            .joined(separator: "/")
    }

    /// A canonical query string: parameters sorted by name (then value), each encoded,
    /// and a parameter without a value written `name=`.
    static func query(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

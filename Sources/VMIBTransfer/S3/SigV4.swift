import Crypto
import Foundation

/// AWS Signature V4 computed here rather than by libcurl, for the requests libcurl signs
/// wrongly.
///
/// libcurl before 8.10 sorts the canonical headers as whole `name:value` lines, so a header
/// whose name extends another's with `-` sorts first (`-` < `:`): `x-amz-copy-source-range`
/// before `x-amz-copy-source`, and the server, sorting by name, computes another signature
/// (403 SignatureDoesNotMatch; curl/curl#14370). Every other request keeps libcurl's
/// signing.
struct SigV4: Sendable {
    var accessKey: String
    var secretKey: String
    var region: String
    var service = "s3"

    /// True when sorting these header lines whole (libcurl) orders their names differently
    /// from sorting by name (SigV4).
    static func curlMisorders(_ headers: [String]) -> Bool {
        let lines = headers.map { line in
            let (name, value) = split(line)
            return (name: name, line: "\(name):\(value)")
        }
        return lines.sorted { $0.line < $1.line }.map(\.name) != lines.sorted { $0.name < $1.name }.map(\.name)
    }

    /// The header lines that sign a request: `host`, `x-amz-date` and `authorization`.
    ///
    /// - Parameters:
    ///   - url: the URL as sent, its path and query already in canonical form
    ///     (`AWSURIEncoding`), which is how `S3Client` builds every URL.
    ///   - headers: "name: value" lines, all of them signed; they must include
    ///     `x-amz-content-sha256`, whose value is the payload hash signed.
    func signingHeaders(method: String, url: String, headers: [String], date: Date) -> [String] {
        let components = URLComponents(string: url)
        let host = (components?.host ?? "") + (components?.port.map { ":\($0)" } ?? "")
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        var canonical = headers.map(Self.split)
        canonical.append(("host", host))
        canonical.append(("x-amz-date", stamp))
        canonical.sort { $0.0 < $1.0 }
        let signedNames = canonical.map(\.0).joined(separator: ";")
        let payloadHash = canonical.first { $0.0 == "x-amz-content-sha256" }?.1 ?? S3Client.unsignedPayload
        let request = [method, components?.percentEncodedPath ?? "/", components?.percentEncodedQuery ?? "",
                       canonical.map { "\($0.0):\($0.1)\n" }.joined(), signedNames, payloadHash]
            .joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = ["AWS4-HMAC-SHA256", stamp, scope, Hex.encode(SHA256.hash(data: Data(request.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
        return ["host: \(host)", "x-amz-date: \(stamp)",
                "authorization: AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"]
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// A header line as its lowercased name and trimmed value, spaces inside collapsed.
    private static func split(_ line: String) -> (String, String) {
        let colon = line.firstIndex(of: ":") ?? line.endIndex
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let rest = colon < line.endIndex ? line[line.index(after: colon)...] : ""
        let value = rest.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return (name, value)
    }
}

import Foundation

extension TransferError {
    /// Classifies a non-2xx answer.
    ///
    /// - 429, a 503 with `Retry-After`, and S3's `SlowDown` are `.throttled` (with the
    ///   server's delay when it gave one);
    /// - other 5xx and 408 are `.retryable`;
    /// - other 4xx are `.fatal`, with the S3 `<Code>: <Message>` when the body has one.
    ///
    /// - Parameter secrets: strings scrubbed from the message, in case a server echoes them.
    static func http(status: Int, headers: [String: String], body: Data, target: String,
                     secrets: [String] = [], now: Date = Date()) -> TransferError {
        var message = "HTTP \(status)"
        var s3Code: String?
        if let xml = S3XML.parse(body), xml.name == "Error" {
            s3Code = xml.value("Code")
            let parts = [xml.value("Code"), xml.value("Message")].compactMap { $0 }.filter { !$0.isEmpty }
            if !parts.isEmpty { message = parts.joined(separator: ": ") }
        }
        for secret in secrets where !secret.isEmpty {
            message = message.replacingOccurrences(of: secret, with: "***")
        }
        let retryAfter = headers["retry-after"].flatMap { RetryAfter.seconds($0, now: now) }

        let code: Code
        switch status {
        case 429:
            code = .throttled
        case 503 where retryAfter != nil || s3Code == "SlowDown":
            code = .throttled
        case 408, 500...599:
            code = .retryable
        default:
            code = .fatal
        }
        return TransferError(code: code, status: status, retryAfter: code == .throttled ? retryAfter : nil,
                             target: target, message: message)
    }
}

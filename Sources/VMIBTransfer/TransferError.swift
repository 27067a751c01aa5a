/// Why a call to a storage endpoint failed, and what the caller may do about it.
public struct TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// Worth another try: 5xx, timeouts, connection resets and refusals.
        case retryable
        /// The server asked us to slow down: 429, or 503 with Retry-After.
        case throttled
        /// Another try will not help: 4xx other than 429 (403, 404, …), bad credentials.
        case fatal
        /// The stored object is not what was sent.
        case verificationFailed
    }

    public var code: Code
    /// HTTP status when there was a response.
    public var status: Int?
    /// Seconds the server asked us to wait (Retry-After), for `.throttled`.
    public var retryAfter: Double?
    /// The key or endpoint concerned (never a credential).
    public var target: String
    /// The server's message (S3 `<Code>`/`<Message>`) or libcurl's error text.
    public var message: String

    public init(code: Code, status: Int? = nil, retryAfter: Double? = nil, target: String, message: String) {
        self.code = code; self.status = status; self.retryAfter = retryAfter
        self.target = target; self.message = message
    }

    /// True when another attempt may succeed.
    public var isTransient: Bool { code == .retryable || code == .throttled }

    public var description: String {
        var s = "\(target): "
        if let status { s += "HTTP \(status) " }
        s += message
        if let retryAfter { s += " (Retry-After \(retryAfter)s)" }
        return s
    }
}

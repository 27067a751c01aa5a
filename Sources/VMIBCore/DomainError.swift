/// Why a request to the domain was refused. Errors name the field concerned and what is
/// allowed, so that every edge (CLI, HTTP) can print one clear line.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A value is malformed or out of range.
        case invalidArgument
        /// A named resource does not exist.
        case notFound
        /// A resource with that name already exists.
        case alreadyExists
        /// The request is well formed but not allowed in the current state.
        case refused
        /// The request was conditional (If-Match, --if-match) and the resource has changed
        /// since: the caller's view is stale, nothing was written.
        case preconditionFailed
    }

    public var code: Code
    /// The field or option concerned (`--target-region`, `regionalReplicaCount`), if any.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code; self.field = field; self.message = message
    }

    public static func invalid(_ field: String, _ message: String) -> DomainError {
        DomainError(.invalidArgument, field: field, message)
    }

    public static func notFound(_ field: String, _ message: String) -> DomainError {
        DomainError(.notFound, field: field, message)
    }

    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}

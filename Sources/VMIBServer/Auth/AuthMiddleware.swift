import Hummingbird

/// Authenticates every request but the probes and the status page's static files (which hold
/// no data: the page reads through the API with a token): `Authorization: Bearer TOKEN` must
/// name a configured token, else 401. The token is hashed at once and never logged or echoed.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ARMRequestContext
    let tokens: TokenFile
    static let openPaths: Set<String> = Set(["/healthz", "/readyz", "/metrics"]).union(StatusPageRoutes.paths)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized(code: "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized(code: "InvalidAuthenticationToken", "The 'Authorization' header must be 'Bearer TOKEN'.")
        }
        guard let principal = tokens.principal(for: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw Self.unauthorized(code: "InvalidAuthenticationToken", "The access token is invalid.")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = .string(principal.name)
        return try await next(request, context)
    }

    static func unauthorized(code: String, _ message: String) -> ARMError {
        var e = ARMError(.unauthorized, code: code, message)
        e.headers = [("WWW-Authenticate", "Bearer realm=\"vmib\", error=\"invalid_token\"")]
        return e
    }
}

import Hummingbird
import Logging

/// The outermost middleware: every error becomes Azure's error shape (a 500 says nothing of
/// the internals and is logged), and every request is counted by route and status.
struct ARMErrorMiddleware: RouterMiddleware {
    typealias Context = ARMRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let arm = ARMError.from(error)
            if arm.status.code >= 500 {
                // The error's own text, never the request's headers (tokens stay out of logs).
                context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            }
            response = try arm.response(from: request, context: context)
        }
        metrics.countRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code)
        return response
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VMIBCore
import VMIBReplication
import VMIBStore
import VMIBWire

/// An error in Azure Resource Manager's shape, `{"error": {"code", "message", "target",
/// "details"}}`. It decides its own HTTP status; every error a route throws becomes one of
/// these in `ARMErrorMiddleware`, so no client ever sees another shape.
public struct ARMError: Error, HTTPResponseError, Sendable, Equatable {
    public typealias Detail = ErrorBody.Detail

    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var target: String?
    public var details: [Detail]
    /// What the error is about, semantically (the domain's field), for clients that name it
    /// in their own words (vmib's CLI prints its option); sent as Azure's `additionalInfo`.
    public var field: Field?
    public var headers: [(String, String)] = []

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, target: String? = nil, details: [Detail] = [],
                field: Field? = nil) {
        self.status = status; self.code = code; self.message = message; self.target = target; self.details = details
        self.field = field
    }

    public static func == (a: ARMError, b: ARMError) -> Bool {
        a.status == b.status && a.code == b.code && a.message == b.message && a.target == b.target && a.details == b.details
    }

    /// A body that is not valid JSON, or a member of the wrong type or shape.
    public static func invalidContent(_ message: String, target: String?) -> ARMError {
        ARMError(.badRequest, code: "InvalidRequestContent", message, target: target)
    }

    public static func invalidParameter(_ message: String, target: String?) -> ARMError {
        ARMError(.badRequest, code: "InvalidParameter", message, target: target)
    }

    public static func notFound(_ message: String, target: String? = nil) -> ARMError {
        ARMError(.notFound, code: "ResourceNotFound", message, target: target)
    }

    /// The domain's refusal, as Azure would say it: its field as the request's parameter or
    /// member (`APIFields`, or `fields` where a route names it otherwise).
    public init(_ error: DomainError, fields: [Field: String] = [:]) {
        let target = error.field.map { fields[$0] ?? APIFields.name($0) }
        let message = error.message, field = error.field
        switch error.code {
        case .invalidArgument: self.init(.badRequest, code: "InvalidParameter", message, target: target, field: field)
        case .notFound: self.init(.notFound, code: "ResourceNotFound", message, target: target, field: field)
        case .alreadyExists: self.init(.conflict, code: "Conflict", message, target: target, field: field)
        case .refused: self.init(.conflict, code: "OperationNotAllowed", message, target: target, field: field)
        case .preconditionFailed: self.init(.preconditionFailed, code: "PreconditionFailed", message, target: target, field: field)
        }
    }

    /// Any error, as an ARM error: ours keep their meaning, anything else is a 500 whose
    /// message says nothing of the internals.
    public static func from(_ error: any Error, fields: [Field: String] = [:]) -> ARMError {
        switch error {
        case let e as ARMError: return e
        case let e as DomainError: return ARMError(e, fields: fields)
        case let e as StoreError where e.code == .notFound: return .notFound(e.message)
        case let e as StoreError where e.code == .refused: return ARMError(.conflict, code: "OperationNotAllowed", e.message)
        case let e as StoreError where e.code == .alreadyExists: return ARMError(.conflict, code: "Conflict", e.message)
        case let e as StoreError where e.code == .conflict: return ARMError(.preconditionFailed, code: "PreconditionFailed", e.message)
        case let e as ReplicationError: return ARMError(.conflict, code: "ReplicationError", e.message)
        case is NIOTooManyBytesError:
            return ARMError(.badRequest, code: "RequestBodyTooLarge",
                            "The request body exceeds the limit of \(ARMRequestContext.bodyLimit) bytes.", target: "body")
        case let e as HTTPError:
            switch e.status {
            case .notFound: return ARMError(.notFound, code: "NotFound", "no such resource or operation")
            case .methodNotAllowed: return ARMError(.methodNotAllowed, code: "MethodNotAllowed", "this method is not allowed on this resource")
            case .contentTooLarge:
                return ARMError(.badRequest, code: "RequestBodyTooLarge",
                                "The request body exceeds the limit of \(ARMRequestContext.bodyLimit) bytes.", target: "body")
            default:
                return ARMError(e.status, code: e.status.code < 500 ? "BadRequest" : "InternalServerError",
                                e.body ?? e.status.reasonPhrase)
            }
        default:
            return ARMError(.internalServerError, code: "InternalServerError", "the server failed to process the request")
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try ARMResponse.json(ErrorBody(code: code, message: message, target: target, details: details, field: field),
                                            status: status)
        response.headers[.init("x-ms-error-code")!] = code
        for (name, value) in headers { if let n = HTTPField.Name(name) { response.headers[n] = value } }
        return response
    }
}

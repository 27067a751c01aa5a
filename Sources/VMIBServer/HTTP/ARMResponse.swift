import Foundation
import VMIBCore
import VMIBWire
import HTTPTypes
import Hummingbird

/// JSON responses as Resource Manager writes them.
enum ARMResponse {
    static let encoder = WireJSON.encoder(pretty: false)

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: [(String, String)] = []) throws -> Response {
        json(body: try encode(value), status: status, headers: headers)
    }

    /// A body encoded before (a `RenderCache` keeps them): sent as it is, without a copy.
    static func json(body: ByteBuffer, status: HTTPResponse.Status = .ok, headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        for (name, v) in headers { if let n = HTTPField.Name(name) { fields[n] = v } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }

    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(data: try encoder.encode(value))
    }

    /// 304: the client's copy (If-None-Match) is current; the ETag and no body.
    static func notModified(etag: String) -> Response {
        empty(.notModified, headers: [("ETag", etag)])
    }

    static func empty(_ status: HTTPResponse.Status, headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        for (name, v) in headers { if let n = HTTPField.Name(name) { fields[n] = v } }
        return Response(status: status, headers: fields)
    }
}

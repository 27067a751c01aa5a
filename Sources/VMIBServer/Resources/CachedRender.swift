import Hummingbird
import VMIBCore

/// What a gallery's or image definition's JSON is made of: equal inputs, equal JSON.
struct RenderInputs<Record: Hashable & Sendable>: Hashable, Sendable {
    var record: Record
    var envelope: ResourceEnvelope
}

extension API {
    /// A GET's answer for the resource at `etag`: 304 when the client holds it
    /// (If-None-Match), the body `cache` holds for `key` at `validator`, or else `render()`'s,
    /// which the cache then keeps.
    func cachedJSON<V, T: Encodable>(_ cache: RenderCache<V>, _ key: RenderCache<V>.Key, at validator: V, etag: String,
                                     request: Request, render: () throws -> T) throws -> Response {
        if Preconditions.notModified(request, etag: etag) { return ARMResponse.notModified(etag: etag) }
        let headers = [("ETag", etag)]
        if let body = cache.body(for: key, at: validator) { return ARMResponse.json(body: body, headers: headers) }
        let body = try ARMResponse.encode(try render())
        cache.store(body, for: key, at: validator)
        return ARMResponse.json(body: body, headers: headers)
    }
}

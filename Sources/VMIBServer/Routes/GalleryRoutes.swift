import Foundation
import Hummingbird
import VMIBCore
import VMIBWire
import VMIBService

/// Microsoft.Compute/galleries: PUT, PATCH, GET, DELETE, list by resource group and subscription.
enum GalleryRoutes {
    static let path = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Compute/galleries"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.put(RouterPath(path + "/:galleryName")) { request, context in
            let ref = try galleryRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let description = try read(body, requireLocation: true)
            let existing = try? api.service.galleries.get(ref)
            try Preconditions.check(request, current: existing?.generation)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: true, resource: ref.gallery)
            if let existing {
                try checkUnchanged(existing, description: description)
                try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
                return try answer(ref, existing, envelope, api: api)
            }
            let g = try armCall { try api.service.galleries.create(ref, description: description) }
            try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
            return try answer(ref, g, envelope, status: .created, api: api)
        }
        router.patch(RouterPath(path + "/:galleryName")) { request, context in
            let ref = try galleryRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let description = try read(body, requireLocation: false)
            let existing = try armCall { try api.service.galleries.get(ref) }
            try Preconditions.check(request, current: existing.generation)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: false, resource: ref.gallery)
            try checkUnchanged(existing, description: description)
            try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
            return try answer(ref, existing, envelope, api: api)
        }
        router.get(RouterPath(path + "/:galleryName")) { request, context in
            let ref = try galleryRef(request, context, api: api, access: .read)
            let g = try armCall { try api.service.galleries.get(ref) }
            let envelope = api.envelope(ref.id)
            return try api.cachedJSON(api.galleryRenders, .init(id: ref.id), at: RenderInputs(record: g, envelope: envelope),
                                      etag: Preconditions.etag(g.generation), request: request) {
                GalleryResource(g, for: .api(envelope))
            }
        }
        router.delete(RouterPath(path + "/:galleryName")) { request, context in
            let ref = try galleryRef(request, context, api: api, access: .write)
            let existing = try? api.service.galleries.get(ref)
            try Preconditions.check(request, current: existing?.generation)
            guard existing != nil else { return ARMResponse.empty(.noContent) }
            try armCall { try api.service.galleries.delete(ref) }
            return ARMResponse.empty(.ok)
        }
        router.get(RouterPath(path)) { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.Compute/galleries/read")
            let list = try armCall { try api.service.galleries.list(subscription: scope.subscription, resourceGroup: scope.resourceGroup) }
            let envelope = api.envelopes(under: "/subscriptions/\(scope.subscription)/resourceGroups/\(scope.resourceGroup!)")
            return try ARMResponse.json(ARMList(value: list.map { GalleryResource($0, for: .api(envelope($0.ref.id))) }))
        }
        router.get("/subscriptions/:subscriptionId/providers/Microsoft.Compute/galleries") { request, context in
            let scope = try ScopeParams.check(request, context, api: api, access: .read, action: "Microsoft.Compute/galleries/read",
                                              resourceGroupLevel: false)
            let list = try armCall { try api.service.galleries.list(subscription: scope.subscription, resourceGroup: nil) }
                .filter { context.visible(resourceGroup: $0.ref.resourceGroup) }
            let envelope = api.envelopes(under: "/subscriptions/\(scope.subscription)")
            return try ARMResponse.json(ARMList(value: list.map { GalleryResource($0, for: .api(envelope($0.ref.id))) }))
        }
    }

    static func galleryRef(_ request: Request, _ context: ARMRequestContext, api: API, access: Access) throws -> GalleryRef {
        let scope = try ScopeParams.check(request, context, api: api, access: access,
                                          action: "Microsoft.Compute/galleries/\(access == .read ? "read" : "write")")
        let name = try context.parameters.name("galleryName")
        return try armCall {
            try api.service.galleries.ref(subscription: scope.subscription, resourceGroup: scope.resourceGroup!, name: name)
        }
    }

    /// The gallery as stored after a write (its generation moves with its tags), with its ETag.
    private static func answer(_ ref: GalleryRef, _ fallback: Gallery, _ envelope: ResourceEnvelope,
                               status: HTTPResponse.Status = .ok, api: API) throws -> Response {
        let g = (try? api.service.galleries.get(ref)) ?? fallback
        return try ARMResponse.json(GalleryResource(g, for: .api(envelope)), status: status, headers: [Preconditions.header(g.generation)])
    }

    /// The description a PUT or PATCH asks for.
    private static func read(_ body: JSONBody, requireLocation: Bool) throws -> String? {
        try body.object(allowing: ResourcePayload<GalleryProperties>.members, type: requireLocation ? "Gallery" : "GalleryUpdate")
        if requireLocation { _ = try body.required(try body.string("location"), "location") }
        guard let props = body["properties"] else { return nil }
        try props.object(allowing: GalleryProperties.members, type: "GalleryProperties")
        return try props.string("description")
    }

    /// vmib keeps a gallery's description as created: a PUT or PATCH that would change it is refused.
    private static func checkUnchanged(_ g: Gallery, description: String?) throws {
        guard let description, description != (g.description ?? "") else { return }
        throw ARMError(.conflict, code: "PropertyChangeNotAllowed",
                       "Changing property 'description' is not allowed: vmib keeps a gallery's description as created.",
                       target: "properties.description")
    }
}

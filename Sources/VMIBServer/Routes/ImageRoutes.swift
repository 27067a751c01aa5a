import Foundation
import Hummingbird
import VMIBCore
import VMIBWire
import VMIBService

/// Microsoft.Compute/galleries/images: PUT, PATCH, GET, DELETE, list by gallery.
enum ImageRoutes {
    static let path = GalleryRoutes.path + "/:galleryName/images"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.put(RouterPath(path + "/:galleryImageName")) { request, context in
            let ref = try imageRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let wanted = try read(body, ref: ref, update: false)
            let existing = try? api.service.images.get(ref)
            try Preconditions.check(request, current: existing?.generation)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: true, resource: ref.image)
            if let existing {
                try checkUnchanged(existing, wanted)
                try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
                return try answer(ref, existing, envelope, api: api)
            }
            let image = try armCall { try api.service.images.create(wanted) }
            try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
            return try answer(ref, image, envelope, status: .created, api: api)
        }
        router.patch(RouterPath(path + "/:galleryImageName")) { request, context in
            let ref = try imageRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let existing = try armCall { try api.service.images.get(ref) }
            try Preconditions.check(request, current: existing.generation)
            let wanted = try read(body, ref: ref, update: true, current: existing)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: false, resource: ref.image)
            try checkUnchanged(existing, wanted)
            try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
            return try answer(ref, existing, envelope, api: api)
        }
        router.get(RouterPath(path + "/:galleryImageName")) { request, context in
            let ref = try imageRef(request, context, api: api, access: .read)
            let image = try armCall { try api.service.images.get(ref) }
            let envelope = api.envelope(ref.id)
            return try api.cachedJSON(api.imageRenders, .init(id: ref.id), at: RenderInputs(record: image, envelope: envelope),
                                      etag: Preconditions.etag(image.generation), request: request) {
                ImageResource(image, for: .api(envelope))
            }
        }
        router.delete(RouterPath(path + "/:galleryImageName")) { request, context in
            let ref = try imageRef(request, context, api: api, access: .write)
            let existing = try? api.service.images.get(ref)
            try Preconditions.check(request, current: existing?.generation)
            guard existing != nil else { return ARMResponse.empty(.noContent) }
            try armCall { try api.service.images.delete(ref) }
            return ARMResponse.empty(.ok)
        }
        router.get(RouterPath(path)) { request, context in
            let gallery = try GalleryRoutes.galleryRef(request, context, api: api, access: .read)
            let list = try armCall { try api.service.images.list(in: gallery) }
            let envelope = api.envelopes(under: gallery.id)
            return try ARMResponse.json(ARMList(value: list.map { ImageResource($0, for: .api(envelope($0.ref.id))) }))
        }
    }

    /// The image as stored after a write (its generation moves with its tags), with its ETag.
    private static func answer(_ ref: ImageRef, _ fallback: ImageDefinition, _ envelope: ResourceEnvelope,
                               status: HTTPResponse.Status = .ok, api: API) throws -> Response {
        let image = (try? api.service.images.get(ref)) ?? fallback
        return try ARMResponse.json(ImageResource(image, for: .api(envelope)), status: status, headers: [Preconditions.header(image.generation)])
    }

    static func imageRef(_ request: Request, _ context: ARMRequestContext, api: API, access: Access) throws -> ImageRef {
        let gallery = try GalleryRoutes.galleryRef(request, context, api: api, access: access)
        let name = try context.parameters.name("galleryImageName")
        try armCall { try ResourceName.validateImage(name) }
        return gallery.image(name)
    }

    private static func read(_ body: JSONBody, ref: ImageRef, update: Bool, current: ImageDefinition? = nil) throws -> ImageRequest {
        try body.object(allowing: ResourcePayload<ImageProperties>.members, type: update ? "GalleryImageUpdate" : "GalleryImage")
        if !update { _ = try body.required(try body.string("location"), "location") }
        let props = try body.required(body["properties"], "properties")
        try props.object(allowing: ImageProperties.members, type: "GalleryImageProperties")
        var identifier = current?.identifier
        if let id = props["identifier"] {
            try id.object(allowing: ImageProperties.Identifier.members, type: "GalleryImageIdentifier")
            identifier = .init(publisher: try id.required(try id.string("publisher"), "publisher"),
                               offer: try id.required(try id.string("offer"), "offer"),
                               sku: try id.required(try id.string("sku"), "sku"))
        }
        let osType = try props.string("osType") ?? current?.osType.rawValue
        let osState = try props.string("osState") ?? current?.osState.rawValue
        return ImageRequest(ref: ref, osType: try props.required(osType, "osType"), osState: try props.required(osState, "osState"),
                            hyperVGeneration: try props.string("hyperVGeneration") ?? current?.hyperVGeneration.rawValue ?? "V2",
                            publisher: try props.required(identifier, "identifier").publisher, offer: identifier!.offer,
                            sku: identifier!.sku, description: try props.string("description") ?? current?.description)
    }

    /// Azure refuses changes to an image definition's osType, osState, hyperVGeneration and
    /// identifier; vmib also keeps its description as created.
    private static func checkUnchanged(_ i: ImageDefinition, _ w: ImageRequest) throws {
        let pairs: [(String, String, String)] = [
            ("properties.osType", i.osType.rawValue, w.osType), ("properties.osState", i.osState.rawValue, w.osState),
            ("properties.hyperVGeneration", i.hyperVGeneration.rawValue, w.hyperVGeneration),
            ("properties.identifier.publisher", i.identifier.publisher, w.publisher),
            ("properties.identifier.offer", i.identifier.offer, w.offer), ("properties.identifier.sku", i.identifier.sku, w.sku),
            ("properties.description", i.description ?? "", w.description ?? ""),
        ]
        for (field, have, want) in pairs where have.lowercased() != want.lowercased() {
            throw ARMError(.conflict, code: "PropertyChangeNotAllowed",
                           "Changing property '\(field)' is not allowed (from '\(have)' to '\(want)').", target: field)
        }
    }
}

import Foundation
import VMIBCore
import VMIBStore

/// Galleries: named collections of image definitions.
public struct Galleries: ServicePart {
    let root: VMIBService

    /// - Parameter subscription: a served subscription (default: the configured one).
    public func ref(subscription: String? = nil, resourceGroup: String, name: String) throws -> GalleryRef {
        try ResourceName.validateResourceGroup(resourceGroup)
        try ResourceName.validateGallery(name)
        return GalleryRef(subscription: subscription ?? self.subscription, resourceGroup: resourceGroup, gallery: name)
    }

    public func create(_ ref: GalleryRef, description: String? = nil) throws -> Gallery {
        try ResourceName.validateGallery(ref.gallery, field: .gallery)
        let g = Gallery(ref: ref, description: description, createdAt: Date())
        try store.createGallery(g)
        return g
    }

    public func list(subscription: String? = nil, resourceGroup: String?) throws -> [Gallery] {
        try store.galleries(subscription: subscription ?? self.subscription, resourceGroup: resourceGroup)
    }

    public func get(_ ref: GalleryRef) throws -> Gallery {
        guard let g = try store.gallery(ref) else {
            throw DomainError.notFound(.gallery, "gallery '\(ref.gallery)' does not exist in resource group '\(ref.resourceGroup)'")
        }
        return g
    }

    /// Deletes a gallery that has no image definitions.
    public func delete(_ ref: GalleryRef) throws {
        do { try store.deleteGallery(ref) } catch let e as StoreError where e.code == .refused || e.code == .notFound {
            throw DomainError(e.code == .refused ? .refused : .notFound, field: .gallery, e.message)
        }
    }
}

import Foundation
import VMIBCore
import VMIBStore

/// Image definitions: named image lines in a gallery.
public struct Images: ServicePart {
    let root: VMIBService

    public func create(_ r: ImageRequest) throws -> ImageDefinition {
        try ResourceName.validateImage(r.ref.image, field: .image)
        _ = try root.galleries.get(r.ref.gallery)
        let image = ImageDefinition(
            ref: r.ref,
            osType: try parse(r.osType, field: .osType),
            osState: try parse(r.osState, field: .osState),
            hyperVGeneration: try parse(r.hyperVGeneration, field: .hyperVGeneration),
            identifier: .init(publisher: try nonEmpty(r.publisher, .publisher), offer: try nonEmpty(r.offer, .offer),
                              sku: try nonEmpty(r.sku, .sku)),
            description: r.description, createdAt: Date())
        try store.createImage(image)
        return image
    }

    public func list(in gallery: GalleryRef) throws -> [ImageDefinition] {
        _ = try root.galleries.get(gallery)
        return try store.images(in: gallery)
    }

    public func get(_ ref: ImageRef) throws -> ImageDefinition {
        _ = try root.galleries.get(ref.gallery)
        guard let i = try store.image(ref) else {
            throw DomainError.notFound(.image, "image definition '\(ref.image)' does not exist in gallery '\(ref.gallery.gallery)'")
        }
        return i
    }

    /// Deletes an image definition that has no versions.
    public func delete(_ ref: ImageRef) throws {
        _ = try get(ref)
        do { try store.deleteImage(ref) } catch let e as StoreError where e.code == .refused {
            throw DomainError(.refused, field: .image, e.message)
        }
    }

    private func parse<T: RawRepresentable & CaseIterable>(_ text: String, field: Field) throws -> T where T.RawValue == String {
        if let v = T(rawValue: text) ?? T.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return v }
        throw DomainError.invalid(field, "'\(text)' is not allowed; allowed: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    private func nonEmpty(_ s: String, _ field: Field) throws -> String {
        guard !s.trimmingCharacters(in: .whitespaces).isEmpty else { throw DomainError.invalid(field, "must not be empty") }
        return s
    }
}

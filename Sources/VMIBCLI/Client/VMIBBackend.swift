import Foundation
import VMIBCore
import VMIBService

/// What the gallery, image and version commands need of vmib: the embedded service (this
/// machine's state directory) or a running server (`--server URL`). The commands print the
/// same tables and JSON and exit with the same codes either way.
protocol VMIBBackend: Sendable {
    var subscription: String { get }
    /// Checks the names locally (bad input never reaches a server).
    func galleryRef(resourceGroup: String, name: String, field: String) throws -> GalleryRef

    func createGallery(_ ref: GalleryRef, description: String?) async throws -> Gallery
    func gallery(_ ref: GalleryRef) async throws -> Gallery
    func galleries(resourceGroup: String?) async throws -> [Gallery]
    func deleteGallery(_ ref: GalleryRef) async throws

    func createImage(_ r: ImageRequest) async throws -> ImageDefinition
    func image(_ ref: ImageRef) async throws -> ImageDefinition
    func images(in gallery: GalleryRef) async throws -> [ImageDefinition]
    func deleteImage(_ ref: ImageRef) async throws

    func publish(_ request: PublishRequest) async throws -> ImageVersion
    func update(_ r: UpdateRequest) async throws -> ImageVersion
    func versions(of image: ImageRef) async throws -> [ImageVersion]
    func details(_ ref: VersionRef) async throws -> VersionDetails
}

extension VMIBService: VMIBBackend {}

extension VMIBBackend {
    /// `GalleryParentOptions` and friends call this with the default field.
    func galleryRef(resourceGroup: String, name: String) throws -> GalleryRef {
        try galleryRef(resourceGroup: resourceGroup, name: name, field: "--gallery")
    }
}

import Foundation
import Synchronization
import VMIBCore
import VMIBReplication
import VMIBStore
import VMIBTransfer

/// The application's one API: every use case the CLI and the HTTP server offer.
/// Requests are validated completely before anything is changed.
public final class VMIBService: Sendable {
    public let configuration: ServiceConfiguration
    public let catalog: RegionCatalog
    public let topology: DeploymentTopology
    let store: any StateStore
    let templateStore: any TemplateStore
    let origin: OriginStore
    let controller = Mutex<ReplicationController?>(nil)

    /// Opens the state directory (creating it) and reads the topology.
    /// - Throws: `DomainError` for a missing or malformed topology or catalog, `StoreError`
    ///   when the database cannot be opened.
    public init(configuration: ServiceConfiguration) throws {
        self.configuration = configuration
        catalog = try TopologyFiles.catalog(configuration)
        topology = try TopologyFiles.topology(configuration, catalog: catalog)
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        let sqlite = try SQLiteStateStore(path: configuration.stateDirectory + "/state.db")
        store = sqlite
        templateStore = sqlite
        origin = OriginStore(stateDirectory: configuration.stateDirectory)
    }

    public var subscription: String { configuration.subscription }

    // MARK: regions

    public func regions() -> [RegionInfo] {
        topology.regions.map { r in
            RegionInfo(name: r.name, displayName: r.displayName, geography: catalog[r.name]?.geography ?? "",
                       buildRegion: catalog[r.name]?.buildRegion ?? false, storageAccountTypes: r.offeredTypes,
                       defaultStorageAccountType: r.defaultStorageType, limits: r.limits)
        }
    }

    // MARK: galleries

    public func galleryRef(resourceGroup: String, name: String) throws -> GalleryRef {
        try ResourceName.validateResourceGroup(resourceGroup)
        try ResourceName.validateGallery(name)
        return GalleryRef(subscription: subscription, resourceGroup: resourceGroup, gallery: name)
    }

    public func createGallery(_ ref: GalleryRef, description: String? = nil) throws -> Gallery {
        try ResourceName.validateGallery(ref.gallery, field: .gallery)
        let g = Gallery(ref: ref, description: description, createdAt: Date())
        try store.createGallery(g)
        return g
    }

    public func galleries(resourceGroup: String?) throws -> [Gallery] {
        try store.galleries(subscription: subscription, resourceGroup: resourceGroup)
    }

    public func gallery(_ ref: GalleryRef) throws -> Gallery {
        guard let g = try store.gallery(ref) else {
            throw DomainError.notFound(.gallery, "gallery '\(ref.gallery)' does not exist in resource group '\(ref.resourceGroup)'")
        }
        return g
    }

    /// Deletes a gallery that has no image definitions.
    public func deleteGallery(_ ref: GalleryRef) throws {
        do { try store.deleteGallery(ref) } catch let e as StoreError where e.code == .refused || e.code == .notFound {
            throw DomainError(e.code == .refused ? .refused : .notFound, field: .gallery, e.message)
        }
    }

    // MARK: images

    public func createImage(_ r: ImageRequest) throws -> ImageDefinition {
        try ResourceName.validateImage(r.ref.image, field: .image)
        _ = try gallery(r.ref.gallery)
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

    public func images(in gallery: GalleryRef) throws -> [ImageDefinition] {
        _ = try self.gallery(gallery)
        return try store.images(in: gallery)
    }

    public func image(_ ref: ImageRef) throws -> ImageDefinition {
        _ = try gallery(ref.gallery)
        guard let i = try store.image(ref) else {
            throw DomainError.notFound(.image, "image definition '\(ref.image)' does not exist in gallery '\(ref.gallery.gallery)'")
        }
        return i
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

import Foundation
import VMIBBuild
import VMIBCore

/// A template's source, resolved to something that can be fetched or read.
public struct ResolvedSource: Sendable {
    public var type: String
    /// What the source is exactly (publisher:offer:sku:exactVersion, a version id, an image id).
    public var exact: String
    /// PlatformImage's exactVersion, or the gallery version's number.
    public var exactVersion: String?
    public var url: String?
    public var localPath: String?
    public var sha256: String?
    public var sizeBytes: Int64?
    public var osType: String?
}

extension Templates {
    /// `$VMIB_MARKETPLACE`, else `<state dir>/marketplace.json`, else `topology/marketplace.json`.
    func marketplace() throws -> MarketplaceCatalog {
        let candidates = [configuration.environment["VMIB_MARKETPLACE"].flatMap { $0.isEmpty ? nil : $0 },
                          configuration.stateDirectory + "/marketplace.json",
                          TopologyFiles.directory(environment: configuration.environment).map { $0 + "/marketplace.json" }]
        guard let path = candidates.compactMap({ $0 }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return MarketplaceCatalog(entries: [])
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw DomainError.invalid(.named("marketplace"), "cannot read \(path)") }
        do { return try MarketplaceCatalog(json: data) } catch {
            throw DomainError.invalid(.named("marketplace"), "\(path) is not a marketplace catalog: \(error)")
        }
    }

    /// Resolves the source now: the catalog entry (latest = highest), the managed image, or
    /// the gallery version (latest = highest Succeeded version not excluded from latest).
    public func resolveSource(_ source: TemplateSource) throws -> ResolvedSource {
        switch source {
        case .platformImage(let publisher, let offer, let sku, let version):
            let e = try marketplace().resolve(publisher: publisher, offer: offer, sku: sku, version: version)
            var url = e.url
            if !url.contains("://") { url = "file://" + (url.hasPrefix("/") ? url : configuration.stateDirectory + "/" + url) }
            return ResolvedSource(type: "PlatformImage", exact: "\(e.publisher):\(e.offer):\(e.sku):\(e.version)", exactVersion: e.version,
                                  url: url, localPath: nil, sha256: e.sha256.lowercased(), sizeBytes: e.sizeBytes, osType: e.osType)
        case .managedImage(let id):
            guard let m = try templateStore.managedImage(id) else {
                throw ProvisioningErrorCode.BadManagedImageSource.error(.named("properties.source.imageId"), "managed image '\(id.id)' does not exist (ManagedImage distributors of earlier runs make them)")
            }
            return ResolvedSource(type: "ManagedImage", exact: id.id, exactVersion: nil, url: nil, localPath: m.path,
                                  sha256: m.sha256, sizeBytes: m.sizeBytes, osType: nil)
        case .sharedImageVersion(let imageRef, let version):
            let code = ProvisioningErrorCode.BadSharedImageVersionSource
            guard let definition = try store.image(imageRef) else {
                throw code.error(.named("properties.source.imageVersionId"), "image definition '\(imageRef.image)' does not exist in gallery '\(imageRef.gallery.gallery)'")
            }
            let versions = try store.versions(of: imageRef)
            let chosen = version.map { v in versions.first { $0.ref.version == v } } ?? Self.latestUsable(versions)
            guard let v = chosen else {
                throw code.error(.named("properties.source.imageVersionId"), version.map { "version \($0) of '\(imageRef.image)' does not exist" } ?? "image '\(imageRef.image)' has no version usable as latest")
            }
            return ResolvedSource(type: "SharedImageVersion", exact: v.ref.id, exactVersion: v.ref.version.description, url: nil,
                                  localPath: origin.path(for: v.storageProfile.sha256), sha256: v.storageProfile.sha256,
                                  sizeBytes: v.storageProfile.sizeBytes, osType: definition.osType.rawValue)
        }
    }

    /// What a template's source takes as `latest` of a gallery image: the highest
    /// Succeeded version not excluded from latest (`versions` newest first, as the store lists them).
    static func latestUsable(_ versions: [ImageVersion]) -> ImageVersion? {
        versions.first { !$0.publishingProfile.excludeFromLatest && $0.provisioningState == .Succeeded }
    }

    /// The version a source at `latest` resolves to now (nil: the gallery image has no usable
    /// version yet). Used by triggers, which follow it.
    /// - Throws: when the image definition or the marketplace offer does not exist.
    func latestVersion(of source: TemplateSource) throws -> String? {
        switch source {
        case .sharedImageVersion(let imageRef, _):
            guard try store.image(imageRef) != nil else {
                throw DomainError.notFound(.image, "the source image definition '\(imageRef.image)' does not exist in gallery '\(imageRef.gallery.gallery)'")
            }
            return Self.latestUsable(try store.versions(of: imageRef))?.ref.version.description
        case .platformImage(let publisher, let offer, let sku, _):
            return try marketplace().resolve(publisher: publisher, offer: offer, sku: sku, version: "latest").version
        case .managedImage:
            return nil
        }
    }

    var downloadCache: DownloadCache { DownloadCache(root: configuration.stateDirectory + "/cache/sha256") }
}

/// The ARM-shaped address of a gallery resource:
/// `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G[/images/I[/versions/V]]`.
public struct GalleryRef: Sendable, Hashable, Codable {
    public var subscription: String
    public var resourceGroup: String
    public var gallery: String
    public init(subscription: String, resourceGroup: String, gallery: String) {
        self.subscription = subscription; self.resourceGroup = resourceGroup; self.gallery = gallery
    }
    public var id: String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/galleries/\(gallery)"
    }
    public func image(_ name: String) -> ImageRef { ImageRef(gallery: self, image: name) }
}

/// An image definition's address.
public struct ImageRef: Sendable, Hashable, Codable {
    public var gallery: GalleryRef
    public var image: String
    public init(gallery: GalleryRef, image: String) { self.gallery = gallery; self.image = image }
    public var id: String { "\(gallery.id)/images/\(image)" }
    public func version(_ v: VersionNumber) -> VersionRef { VersionRef(image: self, version: v) }
}

/// An image version's address.
public struct VersionRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var image: ImageRef
    public var version: VersionNumber
    public init(image: ImageRef, version: VersionNumber) { self.image = image; self.version = version }
    public var id: String { "\(image.id)/versions/\(version)" }
    public var description: String { "\(image.gallery.gallery)/\(image.image)/\(version)" }

    /// The key prefix under which this version's replicas live in every region's storage.
    public var storagePrefix: String {
        "vmib/\(image.gallery.subscription)/\(image.gallery.resourceGroup)/\(image.gallery.gallery)/\(image.image)/\(version)/"
    }

    /// The storage key of replica `index`.
    public func replicaKey(index: Int) -> String { "\(storagePrefix)replica-\(index)" }
}

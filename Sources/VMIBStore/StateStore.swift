import VMIBCore

/// Desired and actual state of galleries, images, versions and replicas.
///
/// Each call is one transaction. Users' changes (galleries, versions, target regions) and
/// the controller's (replicas, provisioning state) go through separate calls, so neither
/// overwrites the other's half.
public protocol StateStore: Sendable {
    func createGallery(_ gallery: Gallery) throws
    func gallery(_ ref: GalleryRef) throws -> Gallery?
    /// Galleries of a subscription, optionally of one resource group, by name.
    func galleries(subscription: String, resourceGroup: String?) throws -> [Gallery]
    /// Deletes a gallery; refused while it holds image definitions (the error gives the count).
    func deleteGallery(_ ref: GalleryRef) throws

    func createImage(_ image: ImageDefinition) throws
    func image(_ ref: ImageRef) throws -> ImageDefinition?
    func images(in gallery: GalleryRef) throws -> [ImageDefinition]

    /// Records a version, its target regions and a Pending record for every wanted replica.
    func createVersion(_ version: ImageVersion) throws
    func version(_ ref: VersionRef) throws -> ImageVersion?
    /// Versions of an image, highest first.
    func versions(of image: ImageRef) throws -> [ImageVersion]
    /// Versions the controller still has work for (provisioning state Creating, Updating or Deleting).
    func versionsWithPendingWork() throws -> [VersionRef]
    func setProvisioningState(_ state: ProvisioningState, of ref: VersionRef) throws

    func replicas(of ref: VersionRef) throws -> [Replica]
    /// Inserts or replaces one replica record.
    func saveReplica(_ replica: Replica, of ref: VersionRef) throws
    func deleteReplica(region: String, index: Int, of ref: VersionRef) throws
}

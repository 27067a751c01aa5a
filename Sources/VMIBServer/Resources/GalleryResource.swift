import Foundation
import VMIBCore

/// A gallery in Resource Manager's shape (Microsoft.Compute/galleries). `properties.vmib`
/// carries vmib's own record, which Azure's clients ignore and vmib's CLI reads back.
public struct GalleryResource: Codable, Sendable {
    public struct Properties: Codable, Sendable {
        public struct Identifier: Codable, Sendable { public var uniqueName: String }
        public var description: String?
        public var identifier: Identifier
        public var provisioningState: String
        public var vmib: Gallery
    }
    public var id: String
    public var name: String
    public var type: String
    public var location: String
    public var tags: [String: String]?
    public var properties: Properties

    public init(_ g: Gallery, envelope: ResourceEnvelope) {
        id = g.ref.id; name = g.ref.gallery; type = "Microsoft.Compute/galleries"
        location = envelope.location; tags = envelope.tags.isEmpty ? nil : envelope.tags
        properties = Properties(description: g.description,
                                identifier: .init(uniqueName: "\(g.ref.subscription)-\(g.ref.gallery.uppercased())"),
                                provisioningState: "Succeeded", vmib: g)
    }
}

/// An image definition (Microsoft.Compute/galleries/images).
public struct ImageResource: Codable, Sendable {
    public struct Properties: Codable, Sendable {
        public var osType: String
        public var osState: String
        public var hyperVGeneration: String
        public var identifier: ImageDefinition.Identifier
        public var description: String?
        public var provisioningState: String
        public var vmib: ImageDefinition
    }
    public var id: String
    public var name: String
    public var type: String
    public var location: String
    public var tags: [String: String]?
    public var properties: Properties

    public init(_ i: ImageDefinition, envelope: ResourceEnvelope) {
        id = i.ref.id; name = i.ref.image; type = "Microsoft.Compute/galleries/images"
        location = envelope.location; tags = envelope.tags.isEmpty ? nil : envelope.tags
        properties = Properties(osType: i.osType.rawValue, osState: i.osState.rawValue, hyperVGeneration: i.hyperVGeneration.rawValue,
                                identifier: i.identifier, description: i.description, provisioningState: "Succeeded", vmib: i)
    }
}

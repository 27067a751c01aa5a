import Foundation
import VMIBCore

/// A gallery (Microsoft.Compute/galleries).
public struct GalleryResource: Codable, Sendable {
    public struct Properties: Codable, Sendable {
        public struct Identifier: Codable, Sendable { public var uniqueName: String }
        public var description: String?
        public var identifier: Identifier
        public var provisioningState: String
        /// The API's audience: vmib's record.
        public var vmib: Gallery?
    }
    public var id: String
    public var name: String
    public var type: String
    public var resourceGroup: String
    public var location: String?
    public var tags: [String: String]?
    public var properties: Properties

    public init(_ g: Gallery, for audience: Audience) {
        id = g.ref.id; name = g.ref.gallery; type = "Microsoft.Compute/galleries"; resourceGroup = g.ref.resourceGroup
        location = audience.envelope?.location; tags = audience.envelope.flatMap { $0.tags.isEmpty ? nil : $0.tags }
        properties = Properties(description: g.description,
                                identifier: .init(uniqueName: "\(g.ref.subscription)-\(g.ref.gallery.uppercased())"),
                                provisioningState: "Succeeded", vmib: audience.envelope == nil ? nil : g)
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
        /// The API's audience: vmib's record.
        public var vmib: ImageDefinition?
    }
    public var id: String
    public var name: String
    public var type: String
    public var location: String?
    public var tags: [String: String]?
    public var properties: Properties

    public init(_ i: ImageDefinition, for audience: Audience) {
        id = i.ref.id; name = i.ref.image; type = "Microsoft.Compute/galleries/images"
        location = audience.envelope?.location; tags = audience.envelope.flatMap { $0.tags.isEmpty ? nil : $0.tags }
        properties = Properties(osType: i.osType.rawValue, osState: i.osState.rawValue, hyperVGeneration: i.hyperVGeneration.rawValue,
                                identifier: i.identifier, description: i.description, provisioningState: "Succeeded",
                                vmib: audience.envelope == nil ? nil : i)
    }
}

import Foundation

/// A named image line in a gallery; its versions are the builds of that line.
public struct ImageDefinition: Sendable, Hashable, Codable {
    public enum OSType: String, Sendable, Hashable, Codable, CaseIterable { case Linux, Windows }
    public enum OSState: String, Sendable, Hashable, Codable, CaseIterable { case Generalized, Specialized }
    public enum HyperVGeneration: String, Sendable, Hashable, Codable, CaseIterable { case V1, V2 }

    /// Publisher, offer and SKU: the image's identity, as in Azure.
    public struct Identifier: Sendable, Hashable, Codable {
        public var publisher: String
        public var offer: String
        public var sku: String
        public init(publisher: String, offer: String, sku: String) {
            self.publisher = publisher; self.offer = offer; self.sku = sku
        }
    }

    public var ref: ImageRef
    public var osType: OSType
    public var osState: OSState
    public var hyperVGeneration: HyperVGeneration
    public var identifier: Identifier
    public var description: String?
    public var createdAt: Date
    /// Bumped by every change of the record (its ETag).
    public var generation: Int64

    public init(ref: ImageRef, osType: OSType, osState: OSState, hyperVGeneration: HyperVGeneration,
                identifier: Identifier, description: String? = nil, createdAt: Date, generation: Int64 = 1) {
        self.ref = ref; self.osType = osType; self.osState = osState
        self.hyperVGeneration = hyperVGeneration; self.identifier = identifier
        self.description = description; self.createdAt = createdAt; self.generation = generation
    }
}

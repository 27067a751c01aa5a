import Foundation

/// A named collection of image definitions.
public struct Gallery: Sendable, Hashable, Codable {
    public var ref: GalleryRef
    public var description: String?
    public var createdAt: Date
    /// Bumped by every change of the record (its ETag).
    public var generation: Int64
    public init(ref: GalleryRef, description: String? = nil, createdAt: Date, generation: Int64 = 1) {
        self.ref = ref; self.description = description; self.createdAt = createdAt; self.generation = generation
    }
}

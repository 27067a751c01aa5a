import Foundation

/// A named collection of image definitions.
public struct Gallery: Sendable, Hashable, Codable {
    public var ref: GalleryRef
    public var description: String?
    public var createdAt: Date
    public init(ref: GalleryRef, description: String? = nil, createdAt: Date) {
        self.ref = ref; self.description = description; self.createdAt = createdAt
    }
}

import Foundation

/// Names one state of a version record: its `generation` (moved by every change of the
/// desired state: the compare-and-set token) and its `statusGeneration` (moved by every
/// write of the controller: replica records, provisioning state). Two reads with equal tags
/// saw the same version, so what was rendered from one serves the other.
public struct VersionTag: Sendable, Hashable {
    public var generation: Int64
    public var statusGeneration: Int64
    /// When this record was published: a version deleted and published again under the
    /// same number starts its counters at 1 again, and this tells the two apart.
    public var publishedDate: Date

    public init(generation: Int64, statusGeneration: Int64, publishedDate: Date) {
        self.generation = generation; self.statusGeneration = statusGeneration; self.publishedDate = publishedDate
    }
}

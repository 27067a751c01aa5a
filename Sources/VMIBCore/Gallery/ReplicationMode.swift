import Foundation

/// How a version's replicas are made (Azure's `publishingProfile.replicationMode`). Chosen
/// when the version is created and never changed after ("This property is not updatable").
public enum ReplicationMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every replica is a copy of the disk in its region, verified there.
    case Full
    /// A development loop: one replica, in the source region, that is a reference to the
    /// origin copy of the disk. No bytes are copied, so the version is usable at once.
    ///
    /// vmib's source region is its home region: where the installation keeps its state
    /// directory and with it the origin copies (`vmib serve --location`; by default the
    /// topology's first region). A Shallow version is refused anywhere else, and with a
    /// replica count other than 1, as Azure refuses it outside its gallery's region.
    case Shallow

    /// Reads a mode by name, in any case.
    /// - Throws: `DomainError` naming `field` and the allowed modes.
    public init(parsing text: String, field: Field) throws {
        guard let mode = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw DomainError.invalid(field, "'\(text)' is not a replication mode; allowed: \(Self.allowed)")
        }
        self = mode
    }

    /// "Full, Shallow".
    public static var allowed: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A member of one target region as a request wrote it, for errors that name it
/// (`targetRegions[1].name`).
public enum TargetRegionMember: String, Sendable, Hashable, CaseIterable {
    case name, regionalReplicaCount, storageAccountType
}

/// Why some target regions cannot hold a Shallow version: the request's index of the
/// offending region, the member at fault and what is allowed instead.
public struct ShallowViolation: Sendable, Hashable {
    public var index: Int
    public var member: TargetRegionMember
    public var message: String
}

extension ReplicationMode {
    /// What is wrong with `regions` (name and replica count each, in request order) for a
    /// Shallow version whose source region is `sourceRegion`; nil when they are exactly
    /// that region with one replica. Pure: every edge (API, CLI, a template's distributor)
    /// names the member in its own words.
    public static func shallowViolation(regions: [(name: String, replicaCount: Int)], sourceRegion: String) -> ShallowViolation? {
        let allowed = "a Shallow version has one replica, in the source region '\(sourceRegion)' (vmib's home region, where the origin copy of the disk is kept and served from); allowed: [{name: \(sourceRegion), regionalReplicaCount: 1}], or Full replication to reach other regions"
        if let i = regions.firstIndex(where: { $0.name.lowercased() != sourceRegion.lowercased() }) {
            return ShallowViolation(index: i, member: .name, message: "'\(regions[i].name)' is not allowed: \(allowed)")
        }
        if regions.count > 1 {
            return ShallowViolation(index: 1, member: .name, message: "'\(regions[1].name)' is given again: \(allowed)")
        }
        if let i = regions.firstIndex(where: { $0.replicaCount != 1 }) {
            return ShallowViolation(index: i, member: .regionalReplicaCount, message: "\(regions[i].replicaCount) is not allowed: \(allowed)")
        }
        return nil
    }
}

extension ImageVersion {
    /// The replica records a new version starts with: for Full, one Pending record per
    /// wanted replica (the controller copies them); for Shallow, its one replica already
    /// Completed, as a reference to the origin copy whose digest was taken at ingest (no
    /// bytes in the region, so none are counted as done).
    public func initialReplicas() -> [Replica] {
        let p = publishingProfile
        return p.targetRegions.flatMap { t in
            (0..<t.regionalReplicaCount).map { i in
                switch p.replicationMode {
                case .Full:
                    Replica(region: t.name, index: i + 1, storageAccountType: t.storageAccountType, updatedAt: p.publishedDate)
                case .Shallow:
                    Replica(region: t.name, index: i + 1, storageAccountType: t.storageAccountType, state: .Completed,
                            verifiedDigest: storageProfile.sha256, updatedAt: p.publishedDate)
                }
            }
        }
    }
}

import Foundation

/// One excludeFromLatest flag a rollback changed: version-wide (`region` nil) or one region's.
public struct FlagChange: Sendable, Hashable, Codable {
    public var version: VersionNumber
    public var region: String?
    public var from: Bool
    public var to: Bool

    public init(version: VersionNumber, region: String?, from: Bool, to: Bool) {
        self.version = version; self.region = region; self.from = from; self.to = to
    }

    /// The change that puts the flag back.
    public var reversed: FlagChange { FlagChange(version: version, region: region, from: to, to: from) }
}

/// A recorded rollback (or the undo of one).
public struct RollbackEntry: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case rollback, undo }

    public var id: Int64
    public var image: ImageRef
    public var kind: Kind
    public var at: Date
    public var principal: String
    /// The version that was latest before (nil when none was).
    public var from: VersionNumber?
    public var to: VersionNumber
    public var region: String?
    public var changes: [FlagChange]
    /// For a rollback: the id of the undo entry that reverted it.
    public var undoneBy: Int64?

    public init(id: Int64 = 0, image: ImageRef, kind: Kind, at: Date, principal: String, from: VersionNumber?,
                to: VersionNumber, region: String?, changes: [FlagChange], undoneBy: Int64? = nil) {
        self.id = id; self.image = image; self.kind = kind; self.at = at; self.principal = principal
        self.from = from; self.to = to; self.region = region; self.changes = changes; self.undoneBy = undoneBy
    }
}

/// Which flags make `target` latest again: every newer version is excluded from latest,
/// version-wide, or in `region` only. Pure.
public enum RollbackPlanner {
    /// - Parameter versions: the image's versions (any order).
    public static func changes(toMakeLatest target: VersionNumber, among versions: [ImageVersion], region: String?) -> [FlagChange] {
        versions.filter { $0.ref.version > target }.sorted { $0.ref.version > $1.ref.version }.compactMap { v in
            if let region {
                guard let t = v.target(region), !t.excludeFromLatest else { return nil }
                return FlagChange(version: v.ref.version, region: region, from: false, to: true)
            }
            guard !v.publishingProfile.excludeFromLatest else { return nil }
            return FlagChange(version: v.ref.version, region: nil, from: false, to: true)
        }
    }

    /// Applies flag changes to versions (the new desired state); versions not named are unchanged.
    public static func apply(_ changes: [FlagChange], to versions: [ImageVersion]) -> [ImageVersion] {
        versions.map { v in
            var v = v
            for c in changes where c.version == v.ref.version {
                if let region = c.region {
                    if let i = v.publishingProfile.targetRegions.firstIndex(where: { $0.name == region }) {
                        v.publishingProfile.targetRegions[i].excludeFromLatest = c.to
                    }
                } else {
                    v.publishingProfile.excludeFromLatest = c.to
                }
            }
            return v
        }
    }
}

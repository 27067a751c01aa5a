import Foundation
import VMIBCore

/// The request bodies of the API, as its clients (vmib's CLI among them) write them and its
/// routes read them. Member names are written here once: the server's strict reader allows
/// exactly `members` (plus what a GET returns and Azure lets a client send back), then
/// decodes the body into these types.
public protocol Payload: Codable, Sendable {
    /// The members this object may have.
    static var members: Set<String> { get }
}

extension Payload {
    /// The body as JSON for a request, members in the order written (expected deployments
    /// add their regions in that order).
    public func encoded() throws -> Data { try OrderedJSONEncoder.encode(self) }
}

/// A resource's PUT or PATCH: location, tags and its properties.
public struct ResourcePayload<Properties: Payload>: Payload {
    public static var members: Set<String> { ["location", "tags", "properties", "id", "name", "type"] }
    public var location: String?
    public var tags: [String: String]?
    public var properties: Properties?

    public init(location: String? = nil, tags: [String: String]? = nil, properties: Properties?) {
        self.location = location; self.tags = tags; self.properties = properties
    }
}

/// `properties` of a gallery (Microsoft.Compute/galleries).
public struct GalleryProperties: Payload {
    public static let members: Set<String> = ["description", "identifier", "provisioningState"]
    public var description: String?
    public init(description: String?) { self.description = description }
}

/// `properties` of an image definition.
public struct ImageProperties: Payload {
    public static let members: Set<String> = ["osType", "osState", "hyperVGeneration", "identifier", "description", "provisioningState"]
    public struct Identifier: Payload {
        public static let members: Set<String> = ["publisher", "offer", "sku"]
        public var publisher: String?
        public var offer: String?
        public var sku: String?
    }
    public var osType: String?
    public var osState: String?
    public var hyperVGeneration: String?
    public var identifier: Identifier?
    public var description: String?

    public init(_ r: ImageRequest) {
        osType = r.osType; osState = r.osState; hyperVGeneration = r.hyperVGeneration; description = r.description
        identifier = Identifier(publisher: r.publisher, offer: r.offer, sku: r.sku)
    }
}

/// `properties` of an image version's PUT or PATCH, with vmib's extension
/// `properties.vmib` (expected deployments, and target-region changes merged into what the
/// version holds when the PATCH arrives).
public struct VersionProperties: Payload {
    public static let members: Set<String> = ["publishingProfile", "storageProfile", "safetyProfile", "provisioningState",
                                              "replicationStatus", "vmib"]

    public struct TargetRegion: Payload {
        public static let members: Set<String> = ["name", "regionalReplicaCount", "storageAccountType", "excludeFromLatest"]
        public var name: String
        public var regionalReplicaCount: Int?
        public var storageAccountType: String?
        public var excludeFromLatest: Bool?

        public init(_ t: TargetRegionRequest, excludeFromLatest: Bool?) {
            name = t.name; regionalReplicaCount = t.regionalReplicaCount; storageAccountType = t.storageAccountType
            self.excludeFromLatest = excludeFromLatest
        }
    }
    public struct PublishingProfile: Payload {
        /// `targetExtendedLocations` is Azure's; the server refuses it by name (vmib has no
        /// extended locations) rather than as unknown.
        public static let members: Set<String> = ["targetRegions", "replicaCount", "excludeFromLatest", "endOfLifeDate",
                                                  "storageAccountType", "publishedDate", "replicationMode", "targetExtendedLocations"]
        public var targetRegions: [TargetRegion]?
        public var replicaCount: Int?
        public var excludeFromLatest: Bool?
        /// Absent: unchanged; null (in a PATCH): cleared.
        public var endOfLifeDate: Clearable?
        public var storageAccountType: String?
        /// Full or Shallow (as written; the server reads it case-insensitively). Absent: Full
        /// for a new version, unchanged for an existing one.
        public var replicationMode: String?

        public init(targetRegions: [TargetRegion]? = nil, replicaCount: Int? = nil, excludeFromLatest: Bool? = nil,
                    endOfLifeDate: Clearable? = nil, replicationMode: String? = nil) {
            self.targetRegions = targetRegions; self.replicaCount = replicaCount; self.excludeFromLatest = excludeFromLatest
            self.endOfLifeDate = endOfLifeDate; self.replicationMode = replicationMode
        }

        enum CodingKeys: String, CodingKey {
            case targetRegions, replicaCount, excludeFromLatest, endOfLifeDate, storageAccountType, replicationMode
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            targetRegions = try c.decodeIfPresent([TargetRegion].self, forKey: .targetRegions)
            replicaCount = try c.decodeIfPresent(Int.self, forKey: .replicaCount)
            excludeFromLatest = try c.decodeIfPresent(Bool.self, forKey: .excludeFromLatest)
            storageAccountType = try c.decodeIfPresent(String.self, forKey: .storageAccountType)
            replicationMode = try c.decodeIfPresent(String.self, forKey: .replicationMode)
            if c.contains(.endOfLifeDate) {
                endOfLifeDate = try c.decodeNil(forKey: .endOfLifeDate) ? .cleared : .date(try c.decode(String.self, forKey: .endOfLifeDate))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(targetRegions, forKey: .targetRegions)
            try c.encodeIfPresent(replicaCount, forKey: .replicaCount)
            try c.encodeIfPresent(excludeFromLatest, forKey: .excludeFromLatest)
            try c.encodeIfPresent(storageAccountType, forKey: .storageAccountType)
            switch endOfLifeDate {
            case .date(let d): try c.encode(d, forKey: .endOfLifeDate)
            case .cleared: try c.encodeNil(forKey: .endOfLifeDate)
            case nil: break
            }
            try c.encodeIfPresent(replicationMode, forKey: .replicationMode)
        }
    }
    /// A date that a PATCH may also clear (JSON null).
    public enum Clearable: Sendable, Equatable {
        case date(String)
        case cleared

        /// As `UpdateRequest.endOfLifeDate` takes it ("none" clears).
        public var request: String {
            switch self { case .date(let d): d; case .cleared: "none" }
        }
    }
    public struct Source: Payload {
        public static let members: Set<String> = ["id", "uri"]
        public var id: String?
        public var uri: String?
    }
    public struct StorageProfile: Payload {
        public static let members: Set<String> = ["source", "osDiskImage"]
        public struct OSDiskImage: Payload {
            public static let members: Set<String> = ["source", "hostCaching", "sizeInGB"]
            public struct Source: Payload {
                public static let members: Set<String> = ["id", "uri", "storageAccountId"]
                public var uri: String?
            }
            public var source: Source?
            public var hostCaching: String?
        }
        public var source: VersionProperties.Source?
        public var osDiskImage: OSDiskImage?
    }
    public struct SafetyProfile: Payload {
        public static let members: Set<String> = ["allowDeletionOfReplicatedLocations", "blockDeletionBeforeEndOfLife",
                                                  "reportedForPolicyViolation", "policyViolations"]
        public var allowDeletionOfReplicatedLocations: Bool?
        public var blockDeletionBeforeEndOfLife: Bool?
    }
    /// `properties.vmib.targetRegionChanges`: region edits merged into the version's target
    /// regions as they are when the request arrives (Azure's `targetRegions` replaces the
    /// whole list instead).
    public struct TargetRegionChanges: Payload {
        public static let members: Set<String> = ["set", "remove", "excludeFromLatest", "includeInLatest"]
        public struct Set_: Payload {
            public static let members: Set<String> = ["name", "regionalReplicaCount", "storageAccountType"]
            public var name: String
            public var regionalReplicaCount: Int?
            public var storageAccountType: String?
        }
        public var set: [Set_]?
        public var remove: [String]?
        public var excludeFromLatest: [String]?
        public var includeInLatest: [String]?
    }
    public struct Extension: Payload {
        /// `version` and `replicas` are what a GET returns there; a body sent back unchanged is fine.
        public static let members: Set<String> = ["expectedDeployments", "targetRegionChanges", "version", "replicas"]
        /// Replica counts from expected concurrent VM deployments (`{"westus": 50}`), as
        /// `--expected-deployments`.
        public var expectedDeployments: RegionCounts?
        public var targetRegionChanges: TargetRegionChanges?
    }

    public var publishingProfile: PublishingProfile?
    public var storageProfile: StorageProfile?
    public var safetyProfile: SafetyProfile?
    public var vmib: Extension?

    public init() {}

    /// What `version publish` asks of a server: the disk by its path there.
    public init(publish r: PublishRequest, diskPath: String) {
        publishingProfile = PublishingProfile(
            targetRegions: r.targetRegions.isEmpty ? nil : r.targetRegions.map { TargetRegion($0, excludeFromLatest: $0.excludeFromLatest) },
            replicaCount: r.replicaCount, excludeFromLatest: r.excludeFromLatest ? true : nil,
            endOfLifeDate: r.endOfLifeDate.map { .date($0) },
            // Full is what a server takes when none is given (and what servers before
            // replication modes understood).
            replicationMode: r.replicationMode == .Full ? nil : r.replicationMode.rawValue)
        storageProfile = StorageProfile(source: Source(id: nil, uri: "file://" + diskPath), osDiskImage: nil)
        safetyProfile = SafetyProfile(allowDeletionOfReplicatedLocations: r.safetyProfile.allowDeletionOfReplicatedLocations,
                                      blockDeletionBeforeEndOfLife: r.safetyProfile.blockDeletionBeforeEndOfLife)
        if !r.expectedDeployments.isEmpty { vmib = Extension(expectedDeployments: RegionCounts(r.expectedDeployments)) }
    }

    /// What `version update` asks of a server: its region edits as a merge
    /// (`targetRegionChanges`), so that two clients changing different regions at once both
    /// keep their change.
    public init(update r: UpdateRequest) {
        if r.excludeFromLatest != nil || r.endOfLifeDate != nil {
            publishingProfile = PublishingProfile(
                excludeFromLatest: r.excludeFromLatest,
                endOfLifeDate: r.endOfLifeDate.map { $0.lowercased() == "none" ? .cleared : .date($0) })
        }
        if r.allowDeletionOfReplicatedLocations != nil || r.blockDeletionBeforeEndOfLife != nil {
            safetyProfile = SafetyProfile(allowDeletionOfReplicatedLocations: r.allowDeletionOfReplicatedLocations,
                                          blockDeletionBeforeEndOfLife: r.blockDeletionBeforeEndOfLife)
        }
        var changes = TargetRegionChanges()
        if !r.setRegions.isEmpty {
            changes.set = r.setRegions.map { .init(name: $0.name, regionalReplicaCount: $0.regionalReplicaCount, storageAccountType: $0.storageAccountType) }
        }
        changes.remove = r.removeRegions.isEmpty ? nil : r.removeRegions
        changes.excludeFromLatest = r.excludeRegionsFromLatest.isEmpty ? nil : r.excludeRegionsFromLatest
        changes.includeInLatest = r.includeRegionsInLatest.isEmpty ? nil : r.includeRegionsInLatest
        let hasChanges = changes.set != nil || changes.remove != nil || changes.excludeFromLatest != nil || changes.includeInLatest != nil
        if hasChanges || !r.expectedDeployments.isEmpty {
            vmib = Extension(expectedDeployments: r.expectedDeployments.isEmpty ? nil : RegionCounts(r.expectedDeployments),
                             targetRegionChanges: hasChanges ? changes : nil)
        }
    }

    /// The region edits of `targetRegionChanges`, into an update.
    public func applyChanges(to r: inout UpdateRequest) {
        guard let c = vmib?.targetRegionChanges else { return }
        r.setRegions = (c.set ?? []).map { TargetRegionRequest(name: $0.name, regionalReplicaCount: $0.regionalReplicaCount, storageAccountType: $0.storageAccountType) }
        r.removeRegions = c.remove ?? []
        r.excludeRegionsFromLatest = c.excludeFromLatest ?? []
        r.includeRegionsInLatest = c.includeInLatest ?? []
    }

    /// Azure's `targetRegions` as requests: a region without a storage type takes the
    /// profile's `storageAccountType`.
    public var targetRegionRequests: [TargetRegionRequest]? {
        publishingProfile?.targetRegions.map { regions in
            regions.map { TargetRegionRequest(name: $0.name, regionalReplicaCount: $0.regionalReplicaCount,
                                              storageAccountType: $0.storageAccountType ?? publishingProfile?.storageAccountType,
                                              excludeFromLatest: $0.excludeFromLatest ?? false) }
        }
    }
}

/// Region names to counts, in the order written (`{"westus": 50, "eastus": 100}`).
public struct RegionCounts: Codable, Sendable, Equatable {
    public var items: [(region: String, count: Int)]

    public init(_ items: [(region: String, deployments: Int)]) { self.items = items.map { ($0.region, $0.deployments) } }

    public static func == (a: RegionCounts, b: RegionCounts) -> Bool {
        a.items.map(\.region) == b.items.map(\.region) && a.items.map(\.count) == b.items.map(\.count)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        items = try c.allKeys.map { ($0.stringValue, try c.decode(Int.self, forKey: $0)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (region, count) in items { try c.encode(count, forKey: Key(stringValue: region)) }
    }

    public var asRequests: [(region: String, deployments: Int)] { items.map { ($0.region, $0.count) } }
}

/// `POST …/images/{i}/rollback`.
public struct RollbackPayload: Payload {
    public static let members: Set<String> = ["to", "region", "undo"]
    public var to: String?
    public var region: String?
    public var undo: Bool?
    public init(to: String?, region: String?, undo: Bool) { self.to = to; self.region = region; self.undo = undo ? true : nil }
}

/// `POST …/versions/{v}/deprecate`.
public struct DeprecatePayload: Payload {
    public static let members: Set<String> = ["state", "replacement"]
    public var state: String
    public var replacement: String?
    public init(state: String, replacement: String?) { self.state = state; self.replacement = replacement }
}

import Foundation

/// One piece of work vmib did that costs something, recorded as it happened and never
/// changed afterwards: bytes moved over one link into a region (a transfer), or one run's
/// minutes (a build). What is *stored* is not an event: it is read from the replicas.
public struct UsageEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A replica made: `bytes` over the link `from` → `to`.
        case transfer
        /// A template run ended: `seconds` from its start to its end.
        case build
    }

    public var kind: Kind
    public var at: Date
    public var subscription: String
    public var resourceGroup: String
    /// Transfers: the version's gallery, image and version number.
    public var gallery: String?
    public var image: String?
    public var version: String?
    /// Builds: the template and its run.
    public var template: String?
    public var runID: String?
    /// Transfers: where the bytes came from (`UsageLink.origin`, or a region) and the region
    /// they went to.
    public var from: String?
    public var to: String?
    public var storageAccountType: String?
    public var bytes: Int64
    /// Storage operations the transfer asked of the region (an upload, a copy, a check
    /// each count one, however many HTTP requests a multipart upload takes).
    public var requests: Int
    public var seconds: Double

    public init(kind: Kind, at: Date, subscription: String, resourceGroup: String, gallery: String?, image: String?,
                version: String?, template: String?, runID: String?, from: String?, to: String?,
                storageAccountType: String?, bytes: Int64, requests: Int, seconds: Double) {
        self.kind = kind; self.at = at; self.subscription = subscription; self.resourceGroup = resourceGroup
        self.gallery = gallery; self.image = image; self.version = version; self.template = template; self.runID = runID
        self.from = from; self.to = to; self.storageAccountType = storageAccountType
        self.bytes = bytes; self.requests = requests; self.seconds = seconds
    }

    /// A replica made in `to`: uploaded from the origin, or (`from == to`) copied inside
    /// the region from another replica.
    public static func transfer(at: Date, version: VersionRef, from: String, to: String,
                                storageAccountType: StorageAccountType, bytes: Int64, requests: Int) -> UsageEvent {
        let g = version.image.gallery
        return UsageEvent(kind: .transfer, at: at, subscription: g.subscription, resourceGroup: g.resourceGroup,
                          gallery: g.gallery, image: version.image.image, version: version.version.description,
                          template: nil, runID: nil, from: from, to: to, storageAccountType: storageAccountType.rawValue,
                          bytes: bytes, requests: requests, seconds: 0)
    }

    /// A run that ended at `end`, having started at `start`.
    public static func build(template: TemplateKey, runID: String, start: Date, end: Date) -> UsageEvent {
        UsageEvent(kind: .build, at: end, subscription: template.subscription, resourceGroup: template.resourceGroup,
                   gallery: nil, image: nil, version: nil, template: template.name, runID: runID,
                   from: nil, to: nil, storageAccountType: nil, bytes: 0, requests: 0,
                   seconds: max(0, end.timeIntervalSince(start)))
    }

    public var link: UsageLink? {
        guard kind == .transfer, let from, let to else { return nil }
        return UsageLink(from: from, to: to)
    }
}

/// Where bytes went: from the origin (the publishing machine's copy of the disk) or a
/// region, to a region. A link from a region to itself is an in-region copy.
public struct UsageLink: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The `from` of an upload from the origin copy of a disk.
    public static let origin = "origin"

    public var from: String
    public var to: String
    public init(from: String, to: String) { self.from = from; self.to = to }

    public var inRegion: Bool { from == to }
    public var description: String { inRegion ? "\(to) (in-region copy)" : "\(from) → \(to)" }

    public static func < (a: UsageLink, b: UsageLink) -> Bool { (a.from, a.to) < (b.from, b.to) }
}

/// What one region holds of one image in one storage type now: Completed replicas × size.
public struct StoredBytes: Sendable, Hashable, Codable {
    public var region: String
    public var storageAccountType: String
    public var resourceGroup: String
    public var gallery: String
    public var image: String
    public var replicas: Int
    public var bytes: Int64

    public init(region: String, storageAccountType: String, resourceGroup: String, gallery: String, image: String,
                replicas: Int, bytes: Int64) {
        self.region = region; self.storageAccountType = storageAccountType; self.resourceGroup = resourceGroup
        self.gallery = gallery; self.image = image; self.replicas = replicas; self.bytes = bytes
    }
}

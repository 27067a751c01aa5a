import Foundation
import VMIBCore
import VMIBReplication
import VMIBStore
import VMIBTransfer

/// Image versions: published builds, replicated to their target regions.
public struct Versions: ServicePart {
    let root: VMIBService
}

extension Versions {
    /// Validates a publish request completely, copies the disk into the origin and records
    /// the version with its target regions in one transaction. Nothing is replicated yet:
    /// the record is the promise; `reconcile` keeps it.
    /// With a shared origin (the topology's `origin` bucket), the disk is stored there too
    /// before the version is recorded, so that any server can replicate it.
    /// - Throws: `DomainError` naming the field for bad input; nothing is recorded then.
    public func publish(_ request: PublishRequest) async throws -> ImageVersion {
        let (ref, replicaCount, targets, givenEndOfLife) = try validate(request)

        var storage = try await ingest(request.disk)
        let published = Date()
        let endOfLife = givenEndOfLife
            ?? request.endOfLifeMonthsAfterPublishing.flatMap { Self.utcCalendar.date(byAdding: .month, value: $0, to: published) }
        var version = ImageVersion(
            ref: ref,
            publishingProfile: PublishingProfile(targetRegions: targets, replicaCount: replicaCount,
                                                 excludeFromLatest: request.excludeFromLatest,
                                                 endOfLifeDate: endOfLife, publishedDate: published,
                                                 replicationMode: request.replicationMode),
            // A Shallow version's one replica is Completed as recorded: nothing is left to do.
            storageProfile: storage, provisioningState: request.replicationMode == .Shallow ? .Succeeded : .Creating,
            safetyProfile: request.safetyProfile)
        // The reference is taken in the transaction that records the version; a delete of
        // the last version on the same disk may have removed the file meanwhile (in its own
        // transaction): then the disk is ingested again.
        let originFile = origin.path(for: storage.sha256)
        for attempt in 1...3 {
            do {
                try store.createVersion(version) {
                    guard FileManager.default.fileExists(atPath: originFile) else { throw OriginGone() }
                }
                return version
            } catch is OriginGone where attempt < 3 {
                storage = try await ingest(request.disk)
                version.storageProfile = storage
            }
        }
        throw DomainError(.refused, field: .disk, "the origin copy of '\(request.disk)' kept disappearing under concurrent deletes; try again")
    }

    private struct OriginGone: Error {}

    /// Copies the disk into the origin (and the shared origin, when the topology names one).
    /// - Throws: `DomainError` naming `--disk` when it cannot be read or stored.
    private func ingest(_ disk: String) async throws -> StorageProfile {
        var storage = try origin.ingest(disk, chunkSize: topology.chunkSize)
        do { try await origin.share(storage) } catch let e as TransferError {
            throw DomainError(.refused, field: .disk, "cannot store the disk in the deployment's shared origin (topology origin): \(e.message)")
        }
        storage.sourcePath = ServiceConfiguration.absolute(disk)
        return storage
    }

    /// What a publish would move per link and store (with the topology's price sheet, an
    /// estimate; with agents, the relay tree), after the same checks as `publish`; records
    /// and copies nothing.
    public func plan(_ request: PublishRequest) throws -> TransferPlan {
        let (_, _, targets, _) = try validate(request)
        let size = (try FileManager.default.attributesOfItem(atPath: request.disk)[.size] as? NSNumber)?.int64Value ?? 0
        // A Shallow version's one replica is a reference to the origin copy: nothing crosses a
        // link and no region stores anything.
        if request.replicationMode == .Shallow {
            return TransferPlan.make(sizeBytes: size, targets: [], prices: topology.prices)
        }
        return TransferPlan.make(sizeBytes: size, targets: targets.map {
            .init(region: $0.name, replicas: $0.regionalReplicaCount, storageAccountType: $0.storageAccountType.rawValue)
        }, prices: topology.prices, relay: TransferPlan.RelayInput(topology: topology))
    }

    /// A publish request's checks, before anything is recorded or copied.
    private func validate(_ request: PublishRequest) throws -> (VersionRef, Int, [TargetRegion], Date?) {
        _ = try root.images.get(request.image)
        let number = try VersionNumber(parsing: request.version, field: .version)
        let ref = request.image.version(number)
        if try store.version(ref) != nil {
            throw DomainError(.alreadyExists, field: .version, "version \(number) of image '\(request.image.image)' already exists; versions are immutable, publish a new number")
        }
        let replicaCount = request.replicaCount ?? 1
        guard TargetRegion.replicaCountRange.contains(replicaCount) else {
            throw DomainError.invalid(.replicaCount, "\(replicaCount) is out of range; allowed: 1…100")
        }
        let targets = try targetRegionRules.targets(of: request, replicaCount: replicaCount)
        let givenEndOfLife = try request.endOfLifeDate.map { try ISO8601.parse($0, field: .endOfLife) }
        try checkReadableFile(request.disk)
        return (ref, replicaCount, targets, givenEndOfLife)
    }

    /// Months are added on the UTC calendar, so an end of life falls on the published day
    /// of the month (or the month's last day) whatever the server's time zone.
    private static let utcCalendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// The target-region rules of this deployment (Core's, applied to this topology).
    var targetRegionRules: TargetRegionRules {
        TargetRegionRules(catalog: catalog, topology: topology, deploymentsPerReplica: configuration.deploymentsPerReplica,
                          sourceRegion: root.homeRegion)
    }

    private func checkReadableFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DomainError.invalid(.disk, "'\(path)' does not exist")
        }
        guard !isDirectory.boolValue else { throw DomainError.invalid(.disk, "'\(path)' is a directory, not a disk image file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw DomainError.invalid(.disk, "'\(path)' is not readable") }
    }

    public func list(of image: ImageRef) throws -> [ImageVersion] {
        _ = try root.images.get(image)
        return try store.versions(of: image)
    }

    /// A version, its replicas and its replication status.
    public func details(_ ref: VersionRef) throws -> VersionDetails {
        _ = try root.images.get(ref.image)
        guard let v = try store.version(ref) else {
            throw DomainError.notFound(.version, "version \(ref.version) of image '\(ref.image.image)' does not exist")
        }
        let replicas = try store.replicas(of: ref)
        return VersionDetails(version: v, replicas: replicas,
                              status: ReplicationStatus(targets: v.publishingProfile.targetRegions, replicas: replicas,
                                                        sizeBytes: v.storageProfile.sizeBytes, mode: v.publishingProfile.replicationMode))
    }

    /// Runs the controller on one version until every region is Completed or Failed.
    /// With `requeueFailed`, failed replicas are tried again (a user's `version reconcile`).
    /// A per-version lock keeps two vmib processes from copying the same replica at once.
    public func reconcile(_ ref: VersionRef, requeueFailed: Bool = false,
                          observer: (any ReplicationObserver)? = nil) async throws -> ReplicationController.Outcome {
        _ = try details(ref)
        let controller = try replication()
        if requeueFailed { _ = try controller.requeueFailed(ref) }
        return try await controller.reconcile(ref, observer: observer)
    }
}

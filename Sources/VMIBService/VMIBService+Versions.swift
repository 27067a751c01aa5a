import Foundation
import VMIBCore
import VMIBReplication
import VMIBStore
import VMIBTransfer

extension VMIBService {
    /// Validates a publish request completely, copies the disk into the origin and records
    /// the version with its target regions in one transaction. Nothing is replicated yet:
    /// the record is the promise; `reconcile` keeps it.
    /// - Throws: `DomainError` naming the field for bad input; nothing is recorded then.
    public func publish(_ request: PublishRequest) throws -> ImageVersion {
        _ = try image(request.image)
        let number = try VersionNumber(parsing: request.version, field: "--version")
        let ref = request.image.version(number)
        if try store.version(ref) != nil {
            throw DomainError(.alreadyExists, field: "--version", "version \(number) of image '\(request.image.image)' already exists; versions are immutable, publish a new number")
        }
        let replicaCount = request.replicaCount ?? 1
        guard TargetRegion.replicaCountRange.contains(replicaCount) else {
            throw DomainError.invalid("--replica-count", "\(replicaCount) is out of range; allowed: 1…100")
        }
        var targets = try validate(request.targetRegions, defaultCount: replicaCount,
                                   allowEmpty: !request.expectedDeployments.isEmpty)
        for d in try expected(request.expectedDeployments) {
            guard !targets.contains(where: { $0.name == d.name }) else {
                throw DomainError.invalid("--expected-deployments", "region '\(d.name)' also has a --target-region count; give one or the other")
            }
            targets.append(d)
        }
        let endOfLife = try request.endOfLifeDate.map { try ISO8601.parse($0, field: "--end-of-life") }
        try checkReadableFile(request.disk)

        var storage = try origin.ingest(request.disk)
        storage.sourcePath = ServiceConfiguration.absolute(request.disk)
        var version = ImageVersion(
            ref: ref,
            publishingProfile: PublishingProfile(targetRegions: targets, replicaCount: replicaCount,
                                                 excludeFromLatest: request.excludeFromLatest,
                                                 endOfLifeDate: endOfLife, publishedDate: Date()),
            storageProfile: storage, provisioningState: .Creating, safetyProfile: request.safetyProfile)
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
                storage = try origin.ingest(request.disk)
                storage.sourcePath = ServiceConfiguration.absolute(request.disk)
                version.storageProfile = storage
            }
        }
        throw DomainError(.refused, field: "--disk", "the origin copy of '\(request.disk)' kept disappearing under concurrent deletes; try again")
    }

    private struct OriginGone: Error {}

    /// Target regions as given, checked against the catalog and this deployment.
    func validate(_ requests: [TargetRegionRequest], defaultCount: Int, field: String = "--target-region",
                  allowEmpty: Bool = false) throws -> [TargetRegion] {
        guard allowEmpty || !requests.isEmpty else {
            throw DomainError.invalid(field, "at least one is required (REGION[=COUNT[:STORAGE_TYPE]]); served regions: \(topology.regions.map(\.name).joined(separator: ", "))")
        }
        var seen = Set<String>()
        return try requests.map { r in
            let known = try catalog.region(named: r.name, field: field)
            guard let served = topology[known.name] else {
                throw DomainError.invalid(field, "region '\(known.name)' is not served by this deployment (topology '\(topology.name)'); served: \(topology.regions.map(\.name).joined(separator: ", "))")
            }
            guard seen.insert(known.name).inserted else {
                throw DomainError.invalid(field, "region '\(known.name)' is given twice")
            }
            let count = r.regionalReplicaCount ?? defaultCount
            guard TargetRegion.replicaCountRange.contains(count) else {
                throw DomainError.invalid(field, "\(known.name): regionalReplicaCount \(count) is out of range; allowed: 1…100")
            }
            let type = try r.storageAccountType.map { try StorageAccountType(parsing: $0, field: field) } ?? served.defaultStorageType
            guard served.spec(for: type) != nil else {
                throw DomainError.invalid(field, "region '\(known.name)' does not offer \(type.rawValue); it offers: \(served.offeredTypes.map(\.rawValue).joined(separator: ", "))")
            }
            return TargetRegion(name: known.name, regionalReplicaCount: count, storageAccountType: type,
                                excludeFromLatest: r.excludeFromLatest,
                                countBasis: r.regionalReplicaCount == nil ? .defaultReplicaCount : .explicit)
        }
    }

    private func checkReadableFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DomainError.invalid("--disk", "'\(path)' does not exist")
        }
        guard !isDirectory.boolValue else { throw DomainError.invalid("--disk", "'\(path)' is a directory, not a disk image file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw DomainError.invalid("--disk", "'\(path)' is not readable") }
    }

    public func versions(of image: ImageRef) throws -> [ImageVersion] {
        _ = try self.image(image)
        return try store.versions(of: image)
    }

    /// A version, its replicas and its replication status.
    public func details(_ ref: VersionRef) throws -> VersionDetails {
        _ = try image(ref.image)
        guard let v = try store.version(ref) else {
            throw DomainError.notFound("--version", "version \(ref.version) of image '\(ref.image.image)' does not exist")
        }
        let replicas = try store.replicas(of: ref)
        return VersionDetails(version: v, replicas: replicas,
                              status: ReplicationStatus(targets: v.publishingProfile.targetRegions, replicas: replicas,
                                                        sizeBytes: v.storageProfile.sizeBytes))
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

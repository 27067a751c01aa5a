import Foundation
import VMIBCore
import VMIBService
import VMIBStore

/// The controller at world scale: a gallery image with many versions, each wanted in every
/// region of the topology with many replicas; then the operations users and the controller
/// repeat all day, timed through the service (the CLI adds only process start and printing).
struct ScaleBenchmark {
    let arguments: BenchArguments
    let service: VMIBService
    let image: ImageRef

    init(_ arguments: BenchArguments) throws {
        self.arguments = arguments
        var configuration = ServiceConfiguration(stateDirectory: arguments.string("state-dir"))
        // `scripts/bench-scale --store postgres`: the same records in a PostgreSQL database.
        configuration.store = ProcessInfo.processInfo.environment["VMIB_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        service = try VMIBService(configuration: configuration)
        image = try service.galleries.ref(resourceGroup: "vmib", name: "G").image("I")
    }

    /// A tiny disk: the figures are about records, not bytes.
    private var disk: String {
        let path = service.configuration.stateDirectory + "/bench-disk.raw"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 4096))
        }
        return path
    }

    private func targets(replicas: Int) -> [TargetRegionRequest] {
        service.regions().map { TargetRegionRequest(name: $0.name, regionalReplicaCount: replicas) }
    }

    /// Publishes versions 1.0.0 … 1.0.(N-1) to every region with `--replicas` replicas each
    /// (records only: nothing is replicated; the script marks them Completed in bulk).
    func seed() async throws {
        let versions = arguments.int("versions", default: 100), replicas = arguments.int("replicas", default: 100)
        _ = try service.galleries.create(image.gallery)
        _ = try service.images.create(ImageRequest(ref: image, osType: "Linux", osState: "Generalized",
                                                 publisher: "P", offer: "O", sku: "S"))
        let targets = targets(replicas: replicas)
        let (seconds, _) = try await Measure.seconds {
            for n in 0..<versions {
                _ = try await service.versions.publish(PublishRequest(image: image, version: "1.0.\(n)", disk: disk, targetRegions: targets))
            }
        }
        Measure.report("seeded_versions", versions)
        Measure.report("seeded_replicas", versions * targets.count * replicas)
        Measure.report("seed_seconds", String(format: "%.1f", seconds))
    }

    /// Times each operation `--repeat` times and prints the median and the slowest, in ms.
    func time() async throws {
        let repeats = arguments.int("repeat", default: 5), replicas = arguments.int("replicas", default: 100)
        let ref = image.version(try VersionNumber(parsing: arguments.string("version"), field: .version))
        let before = try service.versions.details(ref)
        guard before.status.aggregatedState == .Completed else {
            BenchArguments.fail("version \(ref.version) is \(before.status.aggregatedState), expected Completed (seed and complete first)")
        }
        try await timed("status_ms", repeats) { _ = try service.versions.details(ref) }
        // Where the status time goes: reading the records, and deriving the status from them.
        let store = try SQLStateStore.open(service.configuration.store ?? service.configuration.stateDirectory + "/state.db")
        try await timed("status_read_replicas_ms", repeats) { _ = try store.replicas(of: ref) }
        try await timed("status_derive_ms", repeats) {
            _ = ReplicationStatus(targets: before.version.publishingProfile.targetRegions, replicas: before.replicas,
                                  sizeBytes: before.version.storageProfile.sizeBytes)
        }
        try await timed("versions_list_ms", repeats) { _ = try service.versions.list(of: image) }
        let region = service.regions()[0].name
        try await timed("latest_ms", repeats) {
            let latest = try service.versions.latest(of: image, region: region)
            guard latest.ref == ref else { BenchArguments.fail("latest in \(region) is \(latest.ref.version), expected \(ref.version)") }
        }
        try await timed("noop_reconcile_ms", repeats) {
            let outcome = try await service.versions.reconcile(ref)
            guard outcome.state == .Succeeded else { BenchArguments.fail("no-op reconcile ended \(outcome.state)") }
        }
        let after = try service.versions.details(ref)
        guard after.replicas == before.replicas else { BenchArguments.fail("the no-op reconcile changed replica records") }
        let targets = targets(replicas: replicas)
        var next = 0
        try await timed("publish_desired_state_ms", repeats) {
            next += 1
            _ = try await service.versions.publish(PublishRequest(image: image, version: "9.0.\(next)", disk: disk, targetRegions: targets))
        }
        Measure.report("replicas_per_version", before.replicas.count)
    }

    private func timed(_ name: String, _ repeats: Int, _ body: () async throws -> Void) async throws {
        var samples: [Double] = []
        for _ in 0..<repeats {
            let (s, _) = try await Measure.seconds { try await body() }
            samples.append(s)
        }
        Measure.report(name, Measure.ms(Measure.median(samples)))
        Measure.report(name.replacingOccurrences(of: "_ms", with: "_max_ms"), Measure.ms(samples.max() ?? 0))
    }
}

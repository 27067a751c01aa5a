import Foundation
import VMIBCore
import VMIBReplication
import VMIBService
import VMIBStore
import VMIBTransfer

/// What a scrub costs: one version with `--replicas` replicas in every region of the
/// topology is published and replicated, then every replica is checked once cheaply (HEAD)
/// and once deeply (HEAD + read-back), through a controller whose stores count each
/// request. Figures: requests by kind and seconds for each pass.
struct ScrubBenchmark {
    let arguments: BenchArguments
    let service: VMIBService
    let image: ImageRef

    init(_ arguments: BenchArguments) throws {
        self.arguments = arguments
        service = try VMIBService(configuration: ServiceConfiguration(stateDirectory: arguments.string("state-dir")))
        image = try service.galleries.ref(resourceGroup: "vmib", name: "G").image("I")
    }

    func run() async throws {
        let replicas = arguments.int("replicas", default: 100), kib = arguments.int("kib", default: 64)
        let disk = service.configuration.stateDirectory + "/bench-scrub-disk.raw"
        var bytes = [UInt8](repeating: 0, count: kib << 10)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        FileManager.default.createFile(atPath: disk, contents: Data(bytes))
        _ = try service.galleries.create(image.gallery)
        _ = try service.images.create(ImageRequest(ref: image, osType: "Linux", osState: "Generalized",
                                                 publisher: "P", offer: "O", sku: "S"))
        let targets = service.regions().map { TargetRegionRequest(name: $0.name, regionalReplicaCount: replicas) }
        let ref = try await service.versions.publish(PublishRequest(image: image, version: "1.0.0", disk: disk, targetRegions: targets)).ref
        let (makeSeconds, made) = try await Measure.seconds { try await service.versions.reconcile(ref) }
        guard made.state == .Succeeded else { BenchArguments.fail("replication ended \(made.state)") }
        let total = try service.versions.details(ref).replicas.count
        Measure.report("regions", targets.count)
        Measure.report("replicas", total)
        Measure.report("object_bytes", kib << 10)
        Measure.report("replicate_seconds", String(format: "%.2f", makeSeconds))

        // The controller as the service builds it, each store wrapped to count requests.
        let clock = ContinuousClock()
        var counters: [CountingBlobStore] = []
        let endpoints = try service.endpoints(clock: clock) { store in
            let counting = CountingBlobStore(store)
            counters.append(counting)
            return counting
        }
        let store = try SQLStateStore(path: service.configuration.stateDirectory + "/state.db")
        let origin = service.configuration.stateDirectory + "/origin/sha256/"
        let controller = ReplicationController(store: store, regions: endpoints, clock: clock,
                                               originPath: { origin + $0.sha256 })
        let (queryMs, due) = try Measure.secondsSync {
            try store.versionsWithReplicasDue(verifiedBefore: Dictionary(uniqueKeysWithValues:
                service.topology.regions.map { ($0.name, Date().addingTimeInterval(1)) }))
        }
        Measure.report("due_query_ms", Measure.ms(queryMs))
        guard due == [ref] else { BenchArguments.fail("the due query found \(due), expected \(ref)") }

        for deep in [false, true] {
            let before = Self.sum(counters)
            let cpuBefore = Measure.cpuSeconds()
            let (seconds, report) = try await Measure.seconds { try await controller.verify(ref, deep: deep) }
            let after = Self.sum(counters)
            let name = deep ? "deep" : "cheap"
            let held = report.findings.filter { $0.result == .verified }.count
            guard held == total else { BenchArguments.fail("\(name) scrub: \(held) of \(total) held: \(report.findings.prefix(3))") }
            Measure.report("\(name)_replicas_checked", report.findings.count)
            Measure.report("\(name)_seconds", String(format: "%.2f", seconds))
            Measure.report("\(name)_cpu_seconds", String(format: "%.2f", Measure.cpuSeconds() - cpuBefore))
            for kind in Set(after.keys).union(before.keys).sorted() where after[kind, default: 0] != before[kind, default: 0] {
                Measure.report("\(name)_requests_\(kind)", after[kind, default: 0] - before[kind, default: 0])
            }
            Measure.report("\(name)_requests_total", after.values.reduce(0, +) - before.values.reduce(0, +))
        }
    }

    static func sum(_ counters: [CountingBlobStore]) -> [String: Int] {
        counters.reduce(into: [:]) { acc, c in acc.merge(c.snapshot, uniquingKeysWith: +) }
    }
}

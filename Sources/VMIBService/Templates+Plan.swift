import Foundation
import VMIBCore
import VMIBTransfer

/// What a run of a template will do, worked out before it does it.
public struct TemplatePlan: Sendable, Codable {
    public struct Source: Sendable, Codable {
        public var type: String
        public var exact: String
        public var exactVersion: String?
        public var url: String?
        public var sizeBytes: Int64?
        public var sha256: String?
        public var cached: Bool
    }
    public struct Step: Sendable, Codable {
        public var index: Int
        public var type: String
        public var name: String
        public var detail: String
    }
    public struct Replication: Sendable, Codable {
        public var region: String
        public var replicas: Int
        public var storageAccountType: String
        /// Bytes over the region's link: the image once (later replicas are server-side copies).
        public var bytes: Int64
        public var how: String
        public var estimatedSeconds: Double?
        public var limit: String
    }
    public struct Distribution: Sendable, Codable {
        public var type: String
        public var runOutputName: String
        public var target: String
        public var version: String?
        public var regions: [Replication]
    }
    public var template: String
    public var buildRegion: String
    public var buildTimeoutInMinutes: Int
    public var source: Source
    public var customize: [Step]
    public var distribute: [Distribution]
    /// Bytes to move per link and to store, over every SharedImage distributor; with the
    /// topology's price sheet, an estimate (the build priced at its timeout, at most).
    public var transfers: TransferPlan
    public var warnings: [String]
}

extension Templates {
    /// Resolves the source and the version numbers now and lays out the fan-out per region.
    /// - Throws: `DomainError` when the source cannot be resolved (the run would fail the same way).
    public func plan(_ key: TemplateKey) throws -> TemplatePlan {
        let t = try details(key).template
        let s = try resolveSource(t.source)
        let cached = s.sha256.map { FileManager.default.fileExists(atPath: downloadCache.path(for: $0)) } ?? false
        let size = s.sizeBytes ?? 0
        var warnings: [String] = []
        let steps = t.customize.enumerated().map { i, c -> TemplatePlan.Step in
            let detail: String
            switch c {
            case .shell(_, .inline(let lines), _): detail = "/bin/sh -e, \(lines.count) inline line(s)"
            case .shell(_, .uri(let u), let sum): detail = "/bin/sh \(u)" + (sum == nil ? " (no checksum)" : ", SHA-256 checked")
            case .file(_, let u, let sum, let dest): detail = "\(u) → \(dest)" + (sum == nil ? "" : ", SHA-256 checked")
            case .windows: detail = "needs a Windows build host: none is configured, a run fails at once"
                warnings.append("customizer '\(c.name)' (\(c.typeName)) cannot run here")
            }
            return .init(index: i + 1, type: c.typeName, name: c.name, detail: detail)
        }
        var targets: [TransferPlan.Target] = []
        var outs = try t.distribute.map { d -> TemplatePlan.Distribution in
            switch d {
            case .vhd(let n, let uri):
                return .init(type: "VHD", runOutputName: n, target: uri ?? "staging area: IT_\(key.resourceGroup)_\(key.name)_<guid>/\(n).vhd",
                             version: nil, regions: [])
            case .managedImage(let n, let id, let location):
                return .init(type: "ManagedImage", runOutputName: n, target: "\(id.id) in \(location)", version: nil, regions: [])
            case .sharedImage(let n, let sh):
                let existing = (try? store.versions(of: sh.image).map(\.ref.version)) ?? []
                if try store.image(sh.image) == nil { warnings.append("image definition '\(sh.image.image)' does not exist yet: distributor '\(n)' would fail") }
                let next = sh.versioning.next(existing: existing, sourceVersion: s.exactVersion.flatMap { try? VersionNumber(parsing: $0) })
                let regions = sh.targetRegions.map { r -> TemplatePlan.Replication in
                    let served = topology[r.name]
                    let limits = served?.limits ?? .default
                    let type = r.storageAccountType ?? served?.defaultStorageType ?? .Standard_LRS
                    targets.append(.init(region: r.name, replicas: r.replicaCount, storageAccountType: type.rawValue))
                    let how = r.replicaCount == 1 ? "replica 1 uploaded from the origin"
                        : "replica 1 uploaded from the origin, replicas 2…\(r.replicaCount) server-side copies of it"
                    return .init(region: r.name, replicas: r.replicaCount, storageAccountType: type.rawValue, bytes: size, how: how,
                                 estimatedSeconds: limits.bytesPerSecond > 0 ? Double(size) / Double(limits.bytesPerSecond) : nil,
                                 limit: limits.bytesPerSecond > 0 ? "\(limits.bytesPerSecond) B/s, \(limits.concurrentTransfers) concurrent" : "unlimited, \(limits.concurrentTransfers) concurrent")
                }
                return .init(type: "SharedImage", runOutputName: n, target: sh.image.id, version: next?.description, regions: regions)
            }
        }
        let transfers = TransferPlan.make(sizeBytes: size, targets: targets, prices: topology.prices,
                                          buildMinutesAtMost: Double(t.buildTimeoutInMinutes), relay: TransferPlan.RelayInput(topology: topology))
        // A region in the relay tree gets replica 1 from its parent, by its agent.
        let relayed = Dictionary((transfers.relay?.regions ?? []).map { ($0.region, $0.parent) }, uniquingKeysWith: { a, _ in a })
        for (i, d) in outs.enumerated() {
            for (j, r) in d.regions.enumerated() {
                guard let parent = relayed[r.region] else { continue }
                outs[i].regions[j].how = "replica 1 relayed from \(parent) by the region's agent"
                    + (r.replicas == 1 ? "" : ", replicas 2…\(r.replicas) server-side copies of it")
            }
        }
        return TemplatePlan(template: key.id, buildRegion: t.location, buildTimeoutInMinutes: t.buildTimeoutInMinutes,
                            source: .init(type: s.type, exact: s.exact, exactVersion: s.exactVersion, url: s.url.map(URLFetcher.redacted),
                                          sizeBytes: s.sizeBytes, sha256: s.sha256, cached: cached),
                            customize: steps, distribute: outs, transfers: transfers, warnings: warnings)
    }
}


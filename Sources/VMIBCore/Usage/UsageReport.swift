import Foundation

/// How `vmib usage` groups its summary rows.
public enum UsageGrouping: String, Sendable, Hashable, Codable, CaseIterable {
    case region, image, template
}

/// The usage figures: what the regions store now (from the replicas), what moved over each
/// link and how many storage operations each region served (from the transfer events since
/// a date), and the minutes of each template run; with a price sheet, an estimate of what
/// they cost. Made by `UsageReport.make`, a pure function of its inputs.
public struct UsageReport: Sendable, Hashable, Codable {
    /// Completed replicas × size, per region and storage type.
    public struct Storage: Sendable, Hashable, Codable {
        public var region: String
        public var storageAccountType: String
        public var replicas: Int
        public var bytes: Int64
    }
    /// Bytes moved over one link: from the origin or a region into a region, or (inRegion)
    /// copied inside a region.
    public struct Link: Sendable, Hashable, Codable {
        public var from: String
        public var to: String
        public var inRegion: Bool
        public var transfers: Int
        public var bytes: Int64
    }
    public struct Requests: Sendable, Hashable, Codable {
        public var region: String
        public var requests: Int
    }
    /// One run's minutes, start to end.
    public struct Build: Sendable, Hashable, Codable {
        public var resourceGroup: String
        public var template: String
        public var runID: String
        public var region: String?
        public var minutes: Double
        public var endedAt: Date
    }
    /// One summary row of the chosen grouping.
    public struct Group: Sendable, Hashable, Codable {
        public var key: String
        public var replicas: Int
        public var storedBytes: Int64
        /// Bytes that crossed a link into the region (or for the image): uploads and copies between regions.
        public var movedBytes: Int64
        /// Bytes copied inside a region, counted apart.
        public var inRegionBytes: Int64
        public var requests: Int
        public var runs: Int
        public var buildMinutes: Double
        /// With a price sheet: this row's share of the estimate (storage for one month plus moves and builds).
        public var estimate: Double?
    }
    /// What the figures would cost at the price sheet's prices. Always an estimate: vmib
    /// knows only the prices the operator wrote down.
    public struct Estimate: Sendable, Hashable, Codable {
        public var label = "estimate"
        public var currency: String
        /// One month of what the regions store now.
        public var storagePerMonth: Double
        /// The bytes moved since `since` (or ever).
        public var transfers: Double
        /// The run minutes since `since` (or ever).
        public var builds: Double
        public var total: Double
        /// Figures the sheet gives no price for (counted as 0), e.g. `storage Premium_LRS in westus`.
        public var unpriced: [String]
        public var note: String
    }

    public var since: Date?
    public var by: UsageGrouping
    public var storage: [Storage]
    public var links: [Link]
    public var requests: [Requests]
    public var builds: [Build]
    public var groups: [Group]
    public var estimate: Estimate?

    public var storedBytes: Int64 { storage.reduce(0) { $0 + $1.bytes } }
    public var movedBytes: Int64 { links.filter { !$0.inRegion }.reduce(0) { $0 + $1.bytes } }
    public var inRegionBytes: Int64 { links.filter(\.inRegion).reduce(0) { $0 + $1.bytes } }
    public var buildMinutes: Double { builds.reduce(0) { $0 + $1.minutes } }
}

extension UsageReport {
    /// Aggregates `events` at or after `since` (all with nil) and what is `stored` now.
    public static func make(events: [UsageEvent], stored: [StoredBytes], since: Date?, by: UsageGrouping,
                            prices: PriceSheet?) -> UsageReport {
        let events = events.filter { since == nil || $0.at >= since! }
        let transfers = events.filter { $0.kind == .transfer }
        let runs = events.filter { $0.kind == .build }

        var storage: [String: Storage] = [:]
        for s in stored {
            storage["\(s.region)\u{0}\(s.storageAccountType)", default: Storage(region: s.region, storageAccountType: s.storageAccountType,
                                                                                  replicas: 0, bytes: 0)].add(s)
        }
        var links: [UsageLink: Link] = [:]
        var requests: [String: Int] = [:]
        for e in transfers {
            guard let l = e.link else { continue }
            links[l, default: Link(from: l.from, to: l.to, inRegion: l.inRegion, transfers: 0, bytes: 0)].transfers += 1
            links[l]!.bytes += e.bytes
            requests[l.to, default: 0] += e.requests
        }
        let builds = runs.map { e in
            Build(resourceGroup: e.resourceGroup, template: e.template ?? "", runID: e.runID ?? "", region: e.to,
                  minutes: e.seconds / 60, endedAt: e.at)
        }.sorted { ($0.endedAt, $0.runID) < ($1.endedAt, $1.runID) }

        var report = UsageReport(
            since: since, by: by,
            storage: storage.values.sorted { ($0.region, $0.storageAccountType) < ($1.region, $1.storageAccountType) },
            links: links.keys.sorted().map { links[$0]! },
            requests: requests.keys.sorted().map { Requests(region: $0, requests: requests[$0]!) },
            builds: builds, groups: [], estimate: nil)
        report.groups = groups(by: by, transfers: transfers, runs: runs, stored: stored, prices: prices)
        report.estimate = prices.map { estimate(report, $0) }
        return report
    }

    private static func groups(by: UsageGrouping, transfers: [UsageEvent], runs: [UsageEvent], stored: [StoredBytes],
                               prices: PriceSheet?) -> [Group] {
        func key(_ e: UsageEvent) -> String? {
            switch by {
            case .region: e.to
            case .image: e.kind == .transfer ? "\(e.resourceGroup)/\(e.gallery ?? "")/\(e.image ?? "")" : nil
            case .template: e.kind == .build ? "\(e.resourceGroup)/\(e.template ?? "")" : nil
            }
        }
        func key(_ s: StoredBytes) -> String? {
            switch by {
            case .region: s.region
            case .image: "\(s.resourceGroup)/\(s.gallery)/\(s.image)"
            case .template: nil
            }
        }
        var rows: [String: Group] = [:]
        func row(_ k: String) -> Group {
            rows[k] ?? Group(key: k, replicas: 0, storedBytes: 0, movedBytes: 0, inRegionBytes: 0, requests: 0, runs: 0,
                             buildMinutes: 0, estimate: prices == nil ? nil : 0)
        }
        for s in stored {
            guard let k = key(s) else { continue }
            var g = row(k)
            g.replicas += s.replicas
            g.storedBytes += s.bytes
            if let prices { g.estimate! += Double(s.bytes) / PriceSheet.gib * (prices.storagePrice(type: s.storageAccountType, region: s.region) ?? 0) }
            rows[k] = g
        }
        for e in transfers {
            guard let k = key(e), let l = e.link else { continue }
            var g = row(k)
            if l.inRegion { g.inRegionBytes += e.bytes } else { g.movedBytes += e.bytes }
            g.requests += e.requests
            if let prices { g.estimate! += Double(e.bytes) / PriceSheet.gib * (prices.transferPrice(l) ?? 0) }
            rows[k] = g
        }
        for e in runs {
            guard let k = key(e) else { continue }
            var g = row(k)
            g.runs += 1
            g.buildMinutes += e.seconds / 60
            if let prices { g.estimate! += e.seconds / 60 * (prices.buildPerMinute ?? 0) }
            rows[k] = g
        }
        return rows.keys.sorted().map { rows[$0]! }
    }

    private static func estimate(_ r: UsageReport, _ prices: PriceSheet) -> Estimate {
        var unpriced: [String] = []
        var storage = 0.0, transfers = 0.0
        for s in r.storage where s.bytes > 0 {
            guard let p = prices.storagePrice(type: s.storageAccountType, region: s.region) else {
                unpriced.append("storage \(s.storageAccountType) in \(s.region)"); continue
            }
            storage += Double(s.bytes) / PriceSheet.gib * p
        }
        for l in r.links where l.bytes > 0 {
            let link = UsageLink(from: l.from, to: l.to)
            guard let p = prices.transferPrice(link) else { unpriced.append("transfer \(link)"); continue }
            transfers += Double(l.bytes) / PriceSheet.gib * p
        }
        if prices.buildPerMinute == nil, !r.builds.isEmpty { unpriced.append("build minutes") }
        let builds = r.buildMinutes * (prices.buildPerMinute ?? 0)
        let period = r.since.map { "since \(ISO8601.format($0))" } ?? "ever recorded"
        return Estimate(currency: prices.currency, storagePerMonth: storage, transfers: transfers, builds: builds,
                        total: storage + transfers + builds, unpriced: unpriced,
                        note: "an estimate from the topology's price sheet, not a bill: one month of what is stored now, "
                            + "plus the bytes moved and run minutes \(period)")
    }
}

private extension UsageReport.Storage {
    mutating func add(_ s: StoredBytes) { replicas += s.replicas; bytes += s.bytes }
}

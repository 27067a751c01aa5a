/// What a publish will move and store, worked out before it does: per region, replica 1 is
/// uploaded from the origin (the image once over the link `origin → region`), or, in a
/// region with an agent, relayed from its parent in the relay tree (`parent → region`);
/// replicas 2…n are copies inside the region. With a price sheet, an estimate.
public struct TransferPlan: Sendable, Hashable, Codable {
    public struct Target: Sendable, Hashable {
        public var region: String
        public var replicas: Int
        public var storageAccountType: String
        public init(region: String, replicas: Int, storageAccountType: String) {
            self.region = region; self.replicas = replicas; self.storageAccountType = storageAccountType
        }
    }
    public struct Link: Sendable, Hashable, Codable {
        public var from: String
        public var to: String
        public var inRegion: Bool
        public var bytes: Int64
    }
    public struct Estimate: Sendable, Hashable, Codable {
        public var label = "estimate"
        public var currency: String
        public var transfers: Double
        /// One month of the replicas the publish adds.
        public var storagePerMonth: Double
        /// At most: the build timeout's minutes (nil for a publish without a build).
        public var buildsAtMost: Double?
        public var total: Double
        public var unpriced: [String]
        public var note: String
    }

    public var links: [Link]
    /// Bytes over links into regions (in-region copies not counted).
    public var movedBytes: Int64
    public var inRegionBytes: Int64
    /// Replicas × size the publish adds.
    public var storedBytes: Int64
    public var estimate: Estimate?
    /// With agents in the topology: the relay tree the links into agent regions follow.
    public var relay: Relay?

    /// - Parameters:
    ///   - buildMinutesAtMost: a template's build timeout, priced as an upper bound.
    ///   - relay: the topology's agents (`RelayInput(topology:)`); nil: every region from the origin.
    public static func make(sizeBytes: Int64, targets: [Target], prices: PriceSheet?, buildMinutesAtMost: Double? = nil,
                            relay: RelayInput? = nil) -> TransferPlan {
        var seen: Set<String> = []
        let regions = targets.filter { $0.replicas > 0 && seen.insert($0.region).inserted }.map(\.region)
        let tree = relay?.plan(for: regions)
        var links: [Link] = []
        var stored: Int64 = 0
        for t in targets where t.replicas > 0 {
            links.append(Link(from: tree?.parent[t.region] ?? UsageLink.origin, to: t.region, inRegion: false, bytes: sizeBytes))
            if t.replicas > 1 { links.append(Link(from: t.region, to: t.region, inRegion: true, bytes: sizeBytes * Int64(t.replicas - 1))) }
            stored += sizeBytes * Int64(t.replicas)
        }
        var plan = TransferPlan(links: links, movedBytes: links.filter { !$0.inRegion }.reduce(0) { $0 + $1.bytes },
                                inRegionBytes: links.filter(\.inRegion).reduce(0) { $0 + $1.bytes }, storedBytes: stored, estimate: nil)
        if let relay, let tree { plan.relay = Relay(plan: tree, input: relay, regions: regions, sizeBytes: sizeBytes) }
        guard let prices else { return plan }
        var unpriced: [String] = []
        var transfers = 0.0, storage = 0.0
        for l in links {
            let link = UsageLink(from: l.from, to: l.to)
            guard let p = prices.transferPrice(link) else { unpriced.append("transfer \(link)"); continue }
            transfers += Double(l.bytes) / PriceSheet.gib * p
        }
        for t in targets where t.replicas > 0 {
            guard let p = prices.storagePrice(type: t.storageAccountType, region: t.region) else {
                unpriced.append("storage \(t.storageAccountType) in \(t.region)"); continue
            }
            storage += Double(sizeBytes * Int64(t.replicas)) / PriceSheet.gib * p
        }
        var builds: Double?
        if let minutes = buildMinutesAtMost {
            if let p = prices.buildPerMinute { builds = minutes * p } else { unpriced.append("build minutes") }
        }
        plan.estimate = Estimate(currency: prices.currency, transfers: transfers, storagePerMonth: storage, buildsAtMost: builds,
                                 total: transfers + storage + (builds ?? 0), unpriced: unpriced,
                                 note: "an estimate from the topology's price sheet, not a bill: the transfers, one month of the replicas added"
                                     + (buildMinutesAtMost == nil ? "" : ", and at most the build timeout's minutes"))
        return plan
    }
}

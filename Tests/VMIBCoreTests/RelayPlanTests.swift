import Testing
@testable import VMIBCore

@Suite struct RelayPlanTests {
    static let mb: Int64 = 1_000_000
    static let names = ["centralus", "eastus", "eastus2", "northeurope", "westeurope", "westus", "westus2"]

    static func node(_ name: String, up: Int64 = 8 * mb, down: Int64 = 8 * mb, fetchFrom: Set<String>? = nil) -> RelayPlan.Node {
        RelayPlan.Node(name: name, uplink: up, downlink: down, fetchFrom: fetchFrom)
    }

    /// Each region's children's rates fit its uplink, and no region receives above its downlink.
    static func expectWithinCapacities(_ plan: RelayPlan, originUplink: Int64, _ nodes: [RelayPlan.Node]) {
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        for sender in [RelayPlan.origin] + plan.order {
            let sent = plan.children(of: sender).reduce(Int64(0)) { $0 + plan.rate(for: $1)! }
            #expect(sent <= (sender == RelayPlan.origin ? originUplink : byName[sender]!.uplink), "\(sender) sends \(sent)")
        }
        for name in plan.order {
            #expect(plan.rate(for: name)! <= byName[name]!.downlink, "\(name)")
            #expect(byName[name]!.canFetch(from: plan.parent[name]!), "\(name) may not fetch from \(plan.parent[name]!)")
        }
    }

    @Test func sevenEqualLinksMakeAChainAtTheLinkRateWithTheOriginSendingOnce() {
        let nodes = Self.names.map { Self.node($0) }
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: nodes)
        #expect(plan.rate == 8 * Self.mb)
        #expect(plan.children(of: RelayPlan.origin).count == 1)
        #expect(plan.order == Self.names)
        for (i, name) in Self.names.enumerated() {
            #expect(plan.parent[name] == (i == 0 ? RelayPlan.origin : Self.names[i - 1]))
        }
        #expect(plan.depth == 7)
        #expect(plan.excluded.isEmpty && plan.slower.isEmpty)
        Self.expectWithinCapacities(plan, originUplink: 8 * Self.mb, nodes)
        // 56 MB through a 7-hop pipeline of 1 MB chunks: the bytes, then one chunk per hop.
        #expect(plan.estimatedSeconds(bytes: 56 * Self.mb, chunkSize: Self.mb) == 63.0 / 8.0)
    }

    @Test func anOriginWithTwiceTheUplinkFeedsTwoSubtrees() {
        let nodes = Self.names.dropLast().map { Self.node($0) }
        let plan = RelayPlan.plan(originUplink: 16 * Self.mb, regions: Array(nodes))
        #expect(plan.rate == 8 * Self.mb)
        #expect(plan.children(of: RelayPlan.origin) == ["centralus", "eastus"])
        #expect(plan.children(of: "centralus") == ["eastus2"] && plan.children(of: "eastus") == ["northeurope"])
        #expect(plan.children(of: "eastus2") == ["westeurope"] && plan.children(of: "northeurope") == ["westus"])
        #expect(plan.depth == 3)
        Self.expectWithinCapacities(plan, originUplink: 16 * Self.mb, Array(nodes))
    }

    /// A region that can only receive slowly does not slow the others: it is a leaf, fed at
    /// its downlink from spare uplink. Every region then receives at the most it can (its
    /// downlink, all equal to the origin's uplink): optimal.
    @Test func aRegionWithASlowDownlinkIsALeafAtItsDownlink() {
        let nodes = ["eastus", "eastus2", "westus", "westus2"].map { Self.node($0) } + [Self.node("centralus", down: 2 * Self.mb)]
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: nodes)
        #expect(plan.rate == 8 * Self.mb)
        #expect(plan.slower == ["centralus": 2 * Self.mb])
        #expect(plan.rate(for: "centralus") == 2 * Self.mb && plan.rate(for: "eastus") == 8 * Self.mb)
        #expect(plan.order == ["eastus", "eastus2", "westus", "westus2", "centralus"])
        // The chain's last region is the only one with spare uplink.
        #expect(plan.parent["centralus"] == "westus2" && plan.children(of: "centralus").isEmpty)
        Self.expectWithinCapacities(plan, originUplink: 8 * Self.mb, nodes)
        // The slow leaf sets the time: 8 MB at 2 MB/s after 5 hops of 1 MB.
        #expect(plan.estimatedSeconds(bytes: 8 * Self.mb, chunkSize: Self.mb) == 13.0 / 2.0)
    }

    /// When the slow region needs part of the only sender's uplink, the others get the rest:
    /// 7 + 1 MB/s of the origin's 8, each region at the most it can get. Optimal.
    @Test func aSlowRegionTakesOnlyItsDownlinkOfASharedUplink() {
        let nodes = [Self.node("eastus", up: 0), Self.node("westus", up: 0, down: Self.mb)]
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: nodes)
        #expect(plan.rate == 7 * Self.mb)
        #expect(plan.slower == ["westus": Self.mb])
        #expect(plan.parent == ["eastus": RelayPlan.origin, "westus": RelayPlan.origin])
        Self.expectWithinCapacities(plan, originUplink: 8 * Self.mb, nodes)
    }

    /// A region that may fetch only from a slow one can receive no faster than it: both get
    /// 2 MB/s, the others stay at 8 (each region at the most any path gives it: optimal).
    @Test func aRegionBehindASlowRegionIsFedAtThatRegionsRateWithoutSlowingTheOthers() {
        let nodes = ["eastus", "eastus2", "westus"].map { Self.node($0) }
            + [Self.node("westus2", down: 2 * Self.mb), Self.node("centralus", fetchFrom: ["westus2"])]
        let plan = RelayPlan.plan(originUplink: 16 * Self.mb, regions: nodes)
        #expect(plan.rate == 8 * Self.mb)
        #expect(plan.slower == ["westus2": 2 * Self.mb, "centralus": 2 * Self.mb])
        #expect(plan.parent["centralus"] == "westus2")
        #expect(plan.sources(for: "centralus") == ["westus2"])
        #expect(plan.children(of: RelayPlan.origin) == ["eastus", "eastus2"])
        Self.expectWithinCapacities(plan, originUplink: 16 * Self.mb, nodes)
    }

    @Test func aStarFeedsEveryRegionFromTheOriginSharingItsUplinkFairly() {
        let nodes = ["eastus", "eastus2", "westus"].map { Self.node($0) } + [Self.node("centralus", down: 2 * Self.mb)]
        let plan = RelayPlan.plan(originUplink: 16 * Self.mb, regions: nodes, shape: .star)
        #expect(plan.shape == .star)
        #expect(Set(plan.parent.values) == [RelayPlan.origin] && plan.parent.count == 4)
        #expect(plan.depth == 1)
        // centralus takes its 2 MB/s; the other three split the 14 left.
        #expect(plan.rate == 14 * Self.mb / 3)
        #expect(plan.slower == ["centralus": 2 * Self.mb])
        Self.expectWithinCapacities(plan, originUplink: 16 * Self.mb, nodes)
        // A region that may not fetch from the origin has no place in a star.
        let barred = RelayPlan.plan(originUplink: 16 * Self.mb, regions: nodes + [Self.node("westus2", fetchFrom: ["eastus"])], shape: .star)
        #expect(barred.parent["westus2"] == nil)
        #expect(barred.excluded["westus2"]?.contains("may not fetch from the origin") == true)
    }

    @Test func fetchFromRestrictsParentsWithoutLosingRate() {
        let open = ["eastus", "eastus2", "westus", "westus2"].map { Self.node($0) }
        let nodes = open.dropLast() + [Self.node("westus2", fetchFrom: ["eastus"])]
        let plan = RelayPlan.plan(originUplink: 16 * Self.mb, regions: Array(nodes))
        #expect(plan.rate == 8 * Self.mb)
        #expect(plan.parent["westus2"] == "eastus")
        Self.expectWithinCapacities(plan, originUplink: 16 * Self.mb, Array(nodes))

        // The first-come placement would give the origin's one slot to eastus, which could
        // have fetched from westus; westus may fetch only from the origin.
        let tight = [Self.node("eastus"), Self.node("westus", fetchFrom: [RelayPlan.origin])]
        let chain = RelayPlan.plan(originUplink: 8 * Self.mb, regions: tight)
        #expect(chain.rate == 8 * Self.mb)
        #expect(chain.parent == ["westus": RelayPlan.origin, "eastus": "westus"])
        #expect(chain.order == ["westus", "eastus"])
        Self.expectWithinCapacities(chain, originUplink: 8 * Self.mb, tight)
    }

    @Test func aRegionNoReachableSourceFeedsIsExcludedWithTheReason() {
        let nodes = [Self.node("eastus"),
                     Self.node("westus", fetchFrom: ["westus2"]), Self.node("westus2", fetchFrom: ["westus"]),
                     Self.node("centralus", fetchFrom: ["northeurope"]), Self.node("eastus2", down: 0)]
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: nodes)
        #expect(plan.order == ["eastus"])
        #expect(Set(plan.excluded.keys) == ["westus", "westus2", "centralus", "eastus2"])
        #expect(plan.excluded["westus"] == "no source its agent may fetch from (fetchFrom: westus2) is reachable from the origin")
        #expect(plan.excluded["centralus"]?.contains("northeurope") == true)
        #expect(plan.excluded["eastus2"] == "its agent's downlink is 0 bytes/s")
        #expect(plan.sources(for: "westus").isEmpty && plan.rate(for: "westus") == nil)
    }

    /// A region behind one that cannot receive is no more reachable than the latter.
    @Test func aRegionFedOnlyByAnExcludedRegionIsExcludedToo() {
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: [Self.node("eastus", down: 0), Self.node("westus", fetchFrom: ["eastus"])])
        #expect(plan.order.isEmpty && plan.rate == 0)
        #expect(Set(plan.excluded.keys) == ["eastus", "westus"])
        #expect(plan.estimatedSeconds(bytes: Self.mb, chunkSize: Self.mb) == 0)
    }

    @Test func sourcesRunUpTheTreeToTheOriginKeepingOnlyWhatFetchFromAllows() {
        let plan = RelayPlan.plan(originUplink: 8 * Self.mb, regions: ["eastus", "eastus2", "westus"].map { Self.node($0) })
        #expect(plan.sources(for: "westus") == ["eastus2", "eastus", RelayPlan.origin])
        #expect(plan.sources(for: "eastus") == [RelayPlan.origin])
        #expect(plan.sources(for: "northeurope").isEmpty)

        let restricted = RelayPlan.plan(originUplink: 8 * Self.mb, regions: [
            Self.node("eastus"), Self.node("eastus2"), Self.node("westus", fetchFrom: ["eastus2", "eastus"])])
        #expect(restricted.parent["westus"] == "eastus2")
        #expect(restricted.sources(for: "westus") == ["eastus2", "eastus"])
        #expect(restricted.depth == 3)
    }

    @Test func thePlanDependsOnTheLinksNotOnTheOrderTheyAreGiven() {
        let nodes = Self.names.enumerated().map { i, name in
            Self.node(name, up: Int64(4 + i % 3) * Self.mb, down: Int64(6 + i % 2) * Self.mb,
                      fetchFrom: i == 3 ? [RelayPlan.origin, "eastus", "westus"] : nil)
        }
        var generator = SystemRandomNumberGenerator()
        for shape in RelayShape.allCases {
            let first = RelayPlan.plan(originUplink: 12 * Self.mb, regions: nodes, shape: shape)
            #expect(first.order.count == nodes.count)
            Self.expectWithinCapacities(first, originUplink: 12 * Self.mb, nodes)
            for _ in 0..<5 {
                #expect(RelayPlan.plan(originUplink: 12 * Self.mb, regions: nodes.shuffled(using: &generator), shape: shape) == first)
            }
        }
    }
}

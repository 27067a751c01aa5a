extension TransferPlan {
    /// What a plan needs to lay out the relay over region agents: the topology's `agents`,
    /// each region's agent, and the chunk size (a pipeline hop's fill).
    public struct RelayInput: Sendable, Hashable {
        public var settings: AgentSettings
        /// Region name → its agent; regions without one are absent.
        public var agents: [String: AgentLink]
        public var chunkSize: Int64

        public init(settings: AgentSettings, agents: [String: AgentLink], chunkSize: Int64) {
            self.settings = settings; self.agents = agents; self.chunkSize = chunkSize
        }

        /// The topology's agents; nil when it has none.
        public init?(topology: DeploymentTopology) {
            guard let settings = topology.agents else { return nil }
            var agents: [String: AgentLink] = [:]
            for r in topology.regions { if let a = r.agent { agents[r.name] = a } }
            self.init(settings: settings, agents: agents, chunkSize: topology.chunkSize)
        }

        /// The tree over those of `regions` that have an agent (what the controller plans
        /// for a version's target regions).
        public func plan(for regions: [String]) -> RelayPlan {
            let nodes = regions.compactMap { name in
                agents[name].map { RelayPlan.Node(name: name, uplink: $0.uplinkBytesPerSecond, downlink: $0.downlinkBytesPerSecond,
                                                  fetchFrom: $0.fetchFrom.map(Set.init)) }
            }
            return RelayPlan.plan(originUplink: settings.origin.uplinkBytesPerSecond, regions: nodes, shape: settings.relay)
        }
    }

    /// How the image reaches the target regions that have agents: the tree, its rate and
    /// depth, and the time it takes; the other target regions are fed by the origin.
    public struct Relay: Sendable, Hashable, Codable {
        /// One region in the tree.
        public struct Region: Sendable, Hashable, Codable {
            public var region: String
            /// Its sender: `origin` or a region.
            public var parent: String
            /// Where its agent fetches from, in order, when a source fails: the parent first.
            public var sources: [String]
            public var rateBytesPerSecond: Int64
        }
        /// A target region with an agent that the tree leaves out.
        public struct Excluded: Sendable, Hashable, Codable {
            public var region: String
            public var reason: String
        }

        /// `tree` or `star`.
        public var shape: String
        /// The rate the regions in the tree receive at, but for those with a slower
        /// `rateBytesPerSecond` of their own (the most their links let them receive).
        public var rateBytesPerSecond: Int64
        /// Hops from the origin to the deepest region.
        public var depth: Int
        /// The regions in the tree, parents before children.
        public var regions: [Region]
        public var excluded: [Excluded]
        /// Target regions without an agent: the controller writes their storage from the origin.
        public var withoutAgent: [String]
        /// Seconds until every region in the tree holds the image, at the plan's rates (nil:
        /// no region in the tree).
        public var estimatedSeconds: Double?
        public var note: String

        /// - Parameter regions: the target regions, in the request's order.
        public init(plan: RelayPlan, input: RelayInput, regions: [String], sizeBytes: Int64) {
            shape = plan.shape.rawValue
            rateBytesPerSecond = plan.rate
            depth = plan.depth
            self.regions = plan.order.map {
                Region(region: $0, parent: plan.parent[$0]!, sources: plan.sources(for: $0), rateBytesPerSecond: plan.rate(for: $0)!)
            }
            excluded = regions.compactMap { r in
                plan.excluded[r].map { Excluded(region: r, reason: "fed by the origin over its storage, as without an agent: \($0)") }
            }
            withoutAgent = regions.filter { input.agents[$0] == nil }
            estimatedSeconds = plan.order.isEmpty ? nil : plan.estimatedSeconds(bytes: sizeBytes, chunkSize: input.chunkSize)
            note = "the whole image at the plan's rates, one chunk per hop to fill the pipeline; "
                + "delta may move less: chunks a region already holds are not sent"
        }
    }
}

/// How one version's disk reaches the regions that have agents: a tree rooted at the
/// origin's agent, planned from the link capacities. Pure.
///
/// The plan maximises the rate every region receives at (each sender's uplink is shared by
/// its children; no region receives faster than its downlink), then, at that rate, keeps
/// the tree shallow (fewer pipeline hops). Regions placed where higher uplinks sit higher.
/// A region no source it can reach is in the tree is left out, with the reason: the
/// controller feeds it from the origin over its storage, as for a region without an agent.
public struct RelayPlan: Sendable, Equatable {
    /// The name of the root: the origin's agent.
    public static let origin = "origin"

    /// One agent's end of the links.
    public struct Node: Sendable, Equatable {
        public var name: String
        public var uplink: Int64
        public var downlink: Int64
        /// What this node can fetch from (names, `origin` among them); nil: anything.
        public var fetchFrom: Set<String>?

        public init(name: String, uplink: Int64, downlink: Int64, fetchFrom: Set<String>? = nil) {
            self.name = name; self.uplink = uplink; self.downlink = downlink; self.fetchFrom = fetchFrom
        }

        func canFetch(from source: String) -> Bool { fetchFrom?.contains(source) ?? true }
    }

    /// Each placed region's sender: the origin or another region.
    public private(set) var parent: [String: String]
    /// The regions in the order they were placed (parents before children).
    public private(set) var order: [String]
    /// The rate every placed region receives at, in bytes/s.
    public private(set) var rate: Int64
    /// Regions left out, with why.
    public private(set) var excluded: [String: String]
    public let shape: RelayShape

    /// The sources region `name` fetches from, in order: its parent, that one's parent, …,
    /// the origin last. Empty for a region not in the plan.
    public func sources(for name: String) -> [String] {
        var chain: [String] = []
        var at = name
        while let p = parent[at], chain.count <= parent.count {
            chain.append(p)
            if p == Self.origin { break }
            at = p
        }
        return chain
    }

    /// The regions `name` (or the origin) sends to, in placement order.
    public func children(of name: String) -> [String] { order.filter { parent[$0] == name } }

    /// How many hops the deepest region is from the origin.
    public var depth: Int { order.map { sources(for: $0).count }.max() ?? 0 }

    /// Seconds to move `bytes` to every placed region: the bytes at the plan's rate, plus one
    /// chunk per hop for the pipeline to fill.
    public func estimatedSeconds(bytes: Int64, chunkSize: Int64) -> Double {
        guard rate > 0, !order.isEmpty else { return 0 }
        return Double(bytes + Int64(depth) * chunkSize) / Double(rate)
    }

    public static func plan(originUplink: Int64, regions: [Node], shape: RelayShape = .tree) -> RelayPlan {
        var excluded: [String: String] = [:]
        // What the origin can reach through the fetchFrom graph; the rest is left out.
        var reachable: Set<String> = [origin]
        var grew = true
        while grew {
            grew = false
            for n in regions where !reachable.contains(n.name)
                && (shape == .star ? n.canFetch(from: origin) : reachable.contains(where: { n.canFetch(from: $0) })) {
                reachable.insert(n.name); grew = true
            }
        }
        let nodes = regions.filter { n in
            guard reachable.contains(n.name) else {
                excluded[n.name] = shape == .star
                    ? "its agent may not fetch from the origin (fetchFrom)"
                    : "no source its agent may fetch from (fetchFrom) is reachable from the origin"
                return false
            }
            guard n.downlink > 0 else { excluded[n.name] = "its agent's downlink is 0 bytes/s"; return false }
            return true
        }
        guard !nodes.isEmpty else { return RelayPlan(parent: [:], order: [], rate: 0, excluded: excluded, shape: shape) }
        if shape == .star {
            let share = originUplink / Int64(nodes.count)
            let rate = min(share, nodes.map(\.downlink).min()!)
            return RelayPlan(parent: Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, origin) }),
                             order: nodes.map(\.name), rate: rate, excluded: excluded, shape: shape)
        }
        // Candidate rates: every sender's uplink split k ways, and every downlink; the
        // highest that places every node wins.
        let senders = [originUplink] + nodes.map(\.uplink)
        var candidates = Set(nodes.map(\.downlink))
        for up in senders where up > 0 { for k in 1...nodes.count { candidates.insert(up / Int64(k)) } }
        for rate in candidates.filter({ $0 > 0 }).sorted(by: >) {
            if let placed = place(nodes, originUplink: originUplink, rate: rate) {
                return RelayPlan(parent: placed.parent, order: placed.order, rate: rate, excluded: excluded, shape: shape)
            }
        }
        // Nothing places everyone at a positive rate (an uplink of 0 somewhere): each
        // reachable node hangs off the first sender it may fetch from, at the slowest rate.
        var parent: [String: String] = [:], order: [String] = []
        var progress = true
        while progress {
            progress = false
            for n in nodes where parent[n.name] == nil {
                if let p = ([origin] + order).first(where: { n.canFetch(from: $0) }) {
                    parent[n.name] = p; order.append(n.name); progress = true
                }
            }
        }
        return RelayPlan(parent: parent, order: order, rate: 1, excluded: excluded, shape: shape)
    }

    /// Breadth-first: senders in placement order each take floor(uplink / rate) children,
    /// receivers by uplink, highest first (ties by name, for a stable plan).
    private static func place(_ nodes: [Node], originUplink: Int64, rate: Int64) -> (parent: [String: String], order: [String])? {
        guard nodes.allSatisfy({ $0.downlink >= rate }) else { return nil }
        var slots: [String: Int64] = [origin: originUplink / rate]
        var senders = [origin]
        var parent: [String: String] = [:], order: [String] = []
        var waiting = nodes.sorted { ($0.uplink, $1.name) > ($1.uplink, $0.name) }
        var progress = true
        while !waiting.isEmpty && progress {
            progress = false
            var still: [Node] = []
            for n in waiting {
                if let s = senders.first(where: { slots[$0, default: 0] > 0 && n.canFetch(from: $0) }) {
                    slots[s, default: 0] -= 1
                    parent[n.name] = s; order.append(n.name)
                    senders.append(n.name); slots[n.name] = n.uplink / rate
                    progress = true
                } else {
                    still.append(n)
                }
            }
            waiting = still
        }
        return waiting.isEmpty ? (parent, order) : nil
    }
}

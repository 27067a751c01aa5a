/// How one version's disk reaches the regions that have agents: a tree rooted at the
/// origin's agent, planned from the link capacities. Pure.
///
/// The plan maximises the rate the regions receive at (each sender's uplink is shared by
/// its children; no region receives faster than its downlink), then, at that rate, keeps
/// the tree shallow (fewer pipeline hops). Regions placed where higher uplinks sit higher.
/// A region that cannot receive that fast (its downlink is slower, or every path it may
/// fetch along is) does not hold the others back: it is fed at the most it can receive,
/// from a sender's spare uplink (`rate(for:)`, `slower`).
/// A region no source it can reach is in the tree is left out, with the reason: the
/// controller feeds it from the origin over its storage, as for a region without an agent.
public struct RelayPlan: Sendable, Equatable {
    /// The name of the root: the origin's agent.
    public static let origin = "origin"

    /// One agent's end of the links. Names are unique, and none is `origin`.
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
    /// The rate the placed regions receive at, in bytes/s, but for those in `slower`.
    public private(set) var rate: Int64
    /// Regions left out, with why.
    public private(set) var excluded: [String: String]
    public let shape: RelayShape
    /// Placed regions that receive slower than `rate`, at this rate in bytes/s: the most
    /// they can receive (their downlink, or the slowest link on the best path they may fetch
    /// along), or, in a plan with no better tree, their sender's share.
    public private(set) var slower: [String: Int64]
    /// What each placed region may fetch from (nil: anything), so that `sources(for:)` never
    /// names a source its agent may not reach.
    private var fetchFrom: [String: Set<String>]

    private init(parent: [String: String], order: [String], rate: Int64, excluded: [String: String], shape: RelayShape,
                 slower: [String: Int64] = [:], nodes: [Node]) {
        self.parent = parent; self.order = order; self.rate = rate; self.excluded = excluded; self.shape = shape
        self.slower = slower
        self.fetchFrom = Dictionary(nodes.compactMap { n in n.fetchFrom.map { (n.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The sources region `name` fetches from, in order: its parent, that one's parent, …,
    /// the origin last; only those its `fetchFrom` allows (the parent always is). Empty for
    /// a region not in the plan.
    public func sources(for name: String) -> [String] {
        let allowed = fetchFrom[name]
        return ancestors(of: name).filter { allowed?.contains($0) ?? true }
    }

    /// The regions `name` (or the origin) sends to, in placement order.
    public func children(of name: String) -> [String] { order.filter { parent[$0] == name } }

    /// How many hops the deepest region is from the origin.
    public var depth: Int { order.map { ancestors(of: $0).count }.max() ?? 0 }

    /// The rate region `name` receives at, in bytes/s; nil for a region not in the plan.
    public func rate(for name: String) -> Int64? {
        guard parent[name] != nil else { return nil }
        return slower[name] ?? rate
    }

    /// Seconds to move `bytes` to every placed region: for each, the bytes at its rate, plus
    /// one chunk per hop for the pipeline to fill; the slowest region's.
    public func estimatedSeconds(bytes: Int64, chunkSize: Int64) -> Double {
        order.map { name -> Double in
            let r = rate(for: name) ?? 0
            return r > 0 ? Double(bytes + Int64(ancestors(of: name).count) * chunkSize) / Double(r) : 0
        }.max() ?? 0
    }

    /// Region `name`'s parent, that one's parent, …, the origin.
    private func ancestors(of name: String) -> [String] {
        var chain: [String] = []
        var at = name
        while let p = parent[at], chain.count <= parent.count {
            chain.append(p)
            if p == Self.origin { break }
            at = p
        }
        return chain
    }

    /// Plans the distribution of one disk to `regions`.
    /// - Parameters:
    ///   - originUplink: what the origin's agent can send, in bytes/s.
    ///   - regions: the target regions that have agents (their names unique, none `origin`).
    ///   - shape: `.tree` (planned from the capacities) or `.star` (every region from the origin).
    public static func plan(originUplink: Int64, regions: [Node], shape: RelayShape = .tree) -> RelayPlan {
        var excluded: [String: String] = [:]
        // A region that cannot receive is no source either: it goes before reachability.
        var receivers: [Node] = []
        for n in regions {
            if originUplink <= 0 {
                excluded[n.name] = "the origin's agent's uplink is 0 bytes/s"
            } else if n.downlink <= 0 {
                excluded[n.name] = "its agent's downlink is 0 bytes/s"
            } else if !receivers.contains(where: { $0.name == n.name }) {
                receivers.append(n)
            }
        }
        // What the origin can reach through the fetchFrom graph; the rest is left out.
        var reachable: Set<String> = [origin]
        var grew = true
        while grew {
            grew = false
            for n in receivers where !reachable.contains(n.name)
                && (shape == .star ? n.canFetch(from: origin) : reachable.contains(where: { n.canFetch(from: $0) })) {
                reachable.insert(n.name); grew = true
            }
        }
        let nodes = receivers.filter { n in
            guard reachable.contains(n.name) else {
                let allowed = (n.fetchFrom ?? []).sorted().joined(separator: ", ")
                excluded[n.name] = shape == .star
                    ? "its agent may not fetch from the origin (fetchFrom: \(allowed))"
                    : "no source its agent may fetch from (fetchFrom: \(allowed)) is reachable from the origin"
                return false
            }
            return true
        }.sorted { $0.name < $1.name }
        guard !nodes.isEmpty else { return RelayPlan(parent: [:], order: [], rate: 0, excluded: excluded, shape: shape, nodes: []) }
        if shape == .star { return star(nodes, originUplink: originUplink, excluded: excluded) }

        // What each region could receive at, at most, over the paths it may fetch along.
        let ceilings = Self.ceilings(nodes, originUplink: originUplink)
        let fed = nodes.filter { n in
            guard ceilings[n.name, default: 0] > 0 else {
                excluded[n.name] = "every source its agent may fetch from has an uplink of 0 bytes/s"
                return false
            }
            return true
        }
        guard !fed.isEmpty else { return RelayPlan(parent: [:], order: [], rate: 0, excluded: excluded, shape: shape, nodes: []) }

        // Candidate rates: every sender's uplink split k ways, and every ceiling; the
        // highest that places every node wins. Between two candidates the slots and which
        // regions are slower do not change, only the spare uplink the slower ones take: a
        // binary search there finds the highest rate that still leaves them enough.
        let senders = [originUplink] + fed.map(\.uplink)
        let fastest = ceilings.values.max()!
        var candidates = Set(ceilings.values)
        for up in senders where up > 0 { for k in 1...fed.count { candidates.insert(up / Int64(k)) } }
        let rates = candidates.filter { $0 > 0 && $0 <= fastest }.sorted(by: >)
        var budget = 200_000
        for (i, rate) in rates.enumerated() {
            guard var best = place(fed, ceilings: ceilings, originUplink: originUplink, rate: rate, budget: &budget) else { continue }
            var found = rate
            // Above this rate and below the one before, the regions with a ceiling up to
            // this rate are the slower ones; more spare uplink for them is all that changes.
            if i > 0, ceilings.values.contains(where: { $0 <= rate }) {
                var high = rates[i - 1] - 1
                while found < high {
                    let mid = found + (high - found + 1) / 2
                    if let p = place(fed, ceilings: ceilings, originUplink: originUplink, rate: mid, budget: &budget) {
                        found = mid; best = p
                    } else {
                        high = mid - 1
                    }
                }
            }
            return RelayPlan(parent: best.parent, order: best.order, rate: found, excluded: excluded, shape: .tree,
                             slower: best.slower, nodes: fed)
        }
        return anyTree(fed, originUplink: originUplink, excluded: excluded)
    }

    /// Every region from the origin, the origin's uplink shared fairly: a region whose
    /// downlink is below its share takes its downlink, the others split the rest evenly.
    private static func star(_ nodes: [Node], originUplink: Int64, excluded: [String: String]) -> RelayPlan {
        var capped: [String: Int64] = [:]
        var left = originUplink, open = nodes
        var rate: Int64 = 0
        while !open.isEmpty {
            rate = max(1, left / Int64(open.count))
            let limited = open.filter { $0.downlink < rate }
            if limited.isEmpty { break }
            for n in limited { capped[n.name] = n.downlink; left -= n.downlink }
            open.removeAll { $0.downlink < rate }
        }
        if open.isEmpty { rate = capped.values.max()! }
        return RelayPlan(parent: Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, origin) }), order: nodes.map(\.name),
                         rate: rate, excluded: excluded, shape: .star, slower: capped.filter { $0.value < rate }, nodes: nodes)
    }

    /// No rate places everyone (tiny uplinks, or fetchFrom the search could not satisfy):
    /// each node hangs off the first sender it may fetch from, at what that sender can give.
    private static func anyTree(_ nodes: [Node], originUplink: Int64, excluded: [String: String]) -> RelayPlan {
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
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        var rates: [String: Int64] = [origin: originUplink]
        for name in order {
            let p = parent[name]!
            let share = (p == origin ? originUplink : byName[p]!.uplink) / Int64(order.filter { parent[$0] == p }.count)
            rates[name] = max(1, min(byName[name]!.downlink, share, rates[p]!))
        }
        rates[origin] = nil
        let rate = rates.values.max() ?? 0
        return RelayPlan(parent: parent, order: order, rate: rate, excluded: excluded, shape: .tree,
                         slower: rates.filter { $0.value < rate }, nodes: nodes)
    }
}
